import { userInfo } from 'node:os';

/** Who acted from the command line, for the audit log: `cli:<operating-system account>`. */
export function cliActor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `cli:${name}`;
}
