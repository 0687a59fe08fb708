import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Argument, Command, Option } from 'commander';
import { Role } from '../api/actor.ts';
import { cliActor } from '../api/audit/cli-actor.ts';
import { type Auth, openAuth } from '../api/auth/auth.ts';
import { generatePassword } from '../api/auth/passwords.ts';
import { openUserStore } from '../api/auth/user-store.ts';
import { createFirstAdmin, createUser, formatScope, parseScope, resetPassword, setDisabled, setRole, setScope, setUnmask } from '../api/auth/user-admin.ts';
import { loadConfig } from '../core/config.ts';
import { CallScopeError } from '../core/errors.ts';

/** Whether the data folder has any account (serve prints how to make the first one otherwise). */
export function hasAnyUser(dataDir: string): boolean {
  const users = openUserStore(dataDir);
  try {
    return users.list().length > 0;
  } finally {
    users.close();
  }
}

function withAuth<T>(work: (auth: Auth) => Promise<T> | T): Promise<T> {
  const auth = openAuth(loadConfig().dataDir);
  return Promise.resolve()
    .then(() => work(auth))
    .finally(() => auth.close());
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

/** Reads a password twice from the terminal without echoing it. */
async function promptPassword(): Promise<string> {
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      const out = rl as unknown as { _writeToOutput(s: string): void; output: NodeJS.WritableStream };
      out._writeToOutput = (s: string) => {
        if (s.startsWith(q) || s === '\r\n' || s === '\n') out.output.write(s);
      };
      rl.question(q, (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('password: ');
  if ((await ask('again:    ')) !== first) throw new CallScopeError('BAD_REQUEST', 'the two passwords differ');
  return first;
}

type PasswordOpts = { passwordFile?: string; generatePassword?: boolean };

/**
 * The new password: --password-file, --generate-password (printed once), a hidden prompt on a
 * terminal, or the first line of standard input when it is piped. Never a default.
 */
async function newPassword(opts: PasswordOpts): Promise<{ password: string; generated: boolean }> {
  if (opts.passwordFile && opts.generatePassword) throw new CallScopeError('BAD_REQUEST', 'use --password-file or --generate-password, not both');
  if (opts.generatePassword) return { password: generatePassword(), generated: true };
  let text: string;
  if (opts.passwordFile) {
    try {
      text = readFileSync(opts.passwordFile, 'utf8');
    } catch {
      throw new CallScopeError('FILE_NOT_FOUND', `cannot read the password file ${opts.passwordFile}`);
    }
  } else if (process.stdin.isTTY) {
    return { password: await promptPassword(), generated: false };
  } else {
    text = await readStdin();
  }
  const password = text.split(/\r?\n/)[0] ?? '';
  if (!password) throw new CallScopeError('BAD_REQUEST', 'no password given (standard input or the file was empty): use --generate-password to have one made');
  return { password, generated: false };
}

function printGenerated(username: string, p: { password: string; generated: boolean }): void {
  if (!p.generated) return;
  console.log(`password for ${username} (shown once, keep it safe): ${p.password}`);
}

const passwordOptions = (cmd: Command) =>
  cmd
    .option('--password-file <file>', 'read the password from the first line of this file')
    .option('--generate-password', 'make a strong random password and print it once')
    .addHelpText('after', '\nWithout either option the password is asked on the terminal (hidden), or read from the first line of\nstandard input when it is piped. At least 12 characters; there is never a default password.');

const roleOption = () => new Option('--role <role>', 'the role').choices(Role.options);

export function usersCommand(): Command {
  const users = new Command('users')
    .description('manage the accounts that may use the web UI and API (auth.sqlite under CALLSCOPE_DATA)')
    .addHelpText(
      'after',
      `
Roles: ${Role.options.join(', ')} (what each may call: docs/security.md).
Scopes: all | branches:<b1>,<b2> | team:<team> | own:<agent id> — which calls the user sees.
Every change is written to the audit log (\`callscope audit list\`) with your OS account as the actor.`,
    );

  passwordOptions(
    users
      .command('create-admin')
      .description('create the first admin (refused once an admin exists)')
      .option('--username <name>', 'the admin user name', 'admin')
      .option('--name <display name>', 'the name shown in the UI', '管理员'),
  ).action(async (opts: PasswordOpts & { username: string; name: string }) => {
    await withAuth(async (auth) => {
      if (auth.users.hasAdmin()) throw new CallScopeError('BAD_REQUEST', 'an admin already exists: add users with `callscope users add`');
      const p = await newPassword(opts);
      const user = await createFirstAdmin(auth, cliActor(), opts.username, opts.name, p.password);
      console.log(`created admin ${user.username}`);
      printGenerated(user.username, p);
    });
  });

  passwordOptions(
    users
      .command('add')
      .description('add a user')
      .argument('<username>', '2–64 letters, digits, . _ or -')
      .addOption(roleOption().makeOptionMandatory())
      .requiredOption('--name <display name>', 'the name shown in the UI')
      .option('--scope <scope>', 'which calls the user sees: all, branches:<b1>,<b2>, team:<team>, own:<agent id>', 'all')
      .option('--can-unmask', 'may see raw (unmasked) text and audio; every use is audited'),
  ).action(async (username: string, opts: PasswordOpts & { role: Role; name: string; scope: string; canUnmask?: boolean }) => {
    const scope = parseScope(opts.scope);
    await withAuth(async (auth) => {
      const p = await newPassword(opts);
      const user = await createUser(auth, cliActor(), { username, name: opts.name, role: opts.role, scope, canUnmask: Boolean(opts.canUnmask) }, p.password);
      console.log(`created ${user.username} (${user.role}, ${formatScope(user.scope)}${user.canUnmask ? ', may unmask' : ''})`);
      printGenerated(user.username, p);
    });
  });

  users
    .command('list')
    .description('list the users')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      await withAuth((auth) => {
        const list = auth.users.list();
        if (opts.json) return console.log(JSON.stringify(list, null, 1));
        for (const u of list) console.log([u.username, u.role, formatScope(u.scope), u.canUnmask ? 'unmask' : '-', u.disabled ? 'DISABLED' : 'enabled', u.name].join('\t'));
      });
    });

  users
    .command('set-role')
    .description("change a user's role (their sessions end)")
    .argument('<username>')
    .addArgument(new Argument('<role>', 'the new role').choices(Role.options))
    .action(async (username: string, role: Role) => {
      await withAuth((auth) => console.log(`${setRole(auth, cliActor(), username, role).username}: role ${role}`));
    });

  users
    .command('set-scope')
    .description("change which calls a user sees (their sessions end)")
    .argument('<username>')
    .argument('<scope>', 'all, branches:<b1>,<b2>, team:<team> or own:<agent id>')
    .action(async (username: string, scope: string) => {
      await withAuth((auth) => console.log(`${setScope(auth, cliActor(), username, parseScope(scope)).username}: scope ${scope}`));
    });

  users
    .command('set-unmask')
    .description('grant or withdraw the right to see raw (unmasked) text and audio')
    .argument('<username>')
    .addArgument(new Argument('<on|off>').choices(['on', 'off']))
    .action(async (username: string, value: 'on' | 'off') => {
      await withAuth((auth) => console.log(`${setUnmask(auth, cliActor(), username, value === 'on').username}: unmask ${value}`));
    });

  users
    .command('disable')
    .description('stop a user from logging in; their sessions end at once')
    .argument('<username>')
    .action(async (username: string) => {
      await withAuth((auth) => console.log(`${setDisabled(auth, cliActor(), username, true).username}: disabled`));
    });

  users
    .command('enable')
    .description('let a disabled user log in again')
    .argument('<username>')
    .action(async (username: string) => {
      await withAuth((auth) => console.log(`${setDisabled(auth, cliActor(), username, false).username}: enabled`));
    });

  passwordOptions(users.command('reset-password').description("set a new password (the user's sessions end)").argument('<username>')).action(
    async (username: string, opts: PasswordOpts) => {
      await withAuth(async (auth) => {
        const p = await newPassword(opts);
        const user = await resetPassword(auth, cliActor(), username, p.password);
        console.log(`${user.username}: password reset`);
        printGenerated(user.username, p);
      });
    },
  );

  return users;
}

export function auditCommand(): Command {
  const audit = new Command('audit').description('the tamper-evident audit log (audit.sqlite under CALLSCOPE_DATA)');

  audit
    .command('verify')
    .description('check the hash chain: any edited, removed, inserted or reordered entry is found')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Exit code 0 when the chain is whole, 3 when it is broken (the first bad sequence number is named).
The last line names the head (sequence number and hash): keep it somewhere else (a ticket, a printout)
to also detect entries removed from the END, which a chain alone cannot show.`,
    )
    .action(async (opts: { json?: boolean }) => {
      await withAuth((auth) => {
        const r = auth.audit.verify();
        if (opts.json) console.log(JSON.stringify(r));
        else if (r.ok) console.log(`audit log OK: ${r.entries} entries${r.head ? `; head seq ${r.head.seq} hash ${r.head.hash}` : ''}`);
        else console.error(`audit log BROKEN at seq ${r.badSeq}: ${r.reason}`);
        if (!r.ok) process.exitCode = 3;
      });
    });

  audit
    .command('list')
    .description('the latest audit entries, oldest first')
    .addOption(new Option('--limit <n>', 'at most this many').argParser(Number).default(50))
    .option('--action <action>', 'only this action or family (login, unmask, user, scorecard.publish, export, …)')
    .option('--actor <user>', "only this actor's entries")
    .option('--json', 'print JSON lines')
    .action(async (opts: { limit: number; action?: string; actor?: string; json?: boolean }) => {
      if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 100_000) throw new CallScopeError('BAD_REQUEST', '--limit is a whole number from 1 to 100000');
      await withAuth((auth) => {
        for (const e of auth.audit.list({ limit: opts.limit, ...(opts.action ? { action: opts.action } : {}), ...(opts.actor ? { actor: opts.actor } : {}) })) {
          if (opts.json) console.log(JSON.stringify(e));
          else console.log([e.seq, e.time, e.actor ?? '-', e.action, e.target ?? '-', e.ip ?? '-', JSON.stringify(e.details)].join('\t'));
        }
      });
    });

  return audit;
}
