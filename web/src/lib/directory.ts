// Who is who in the workspace: names by member id, from the member directory (src/api/queries/directory.ts).

import type { DirectoryMember } from "../api/types";

/** One member as the directory lists them; deactivated members stay, so history keeps their names. */
export type { DirectoryMember };

/** What is shown for a member the directory does not know (yet). */
export const UNKNOWN = "—";

/** Names by member id, with the signed-in member as "You" where a sentence reads better so. */
export class Directory {
  private readonly byId: ReadonlyMap<string, DirectoryMember>;

  constructor(
    readonly members: readonly DirectoryMember[],
    readonly myId?: string,
  ) {
    this.byId = new Map(members.map((member) => [member.id, member]));
  }

  member(id: string | null | undefined): DirectoryMember | undefined {
    return id ? this.byId.get(id) : undefined;
  }

  /** The member's name ("—" while unknown). */
  name = (id: string | null | undefined): string => this.member(id)?.name ?? UNKNOWN;

  /** "You" for the signed-in member, the name otherwise. */
  nameOrYou = (id: string | null | undefined): string => (id && id === this.myId ? "You" : this.name(id));

  /** Active members who work tickets (assignee pickers, direct messages), by name. */
  workers(): DirectoryMember[] {
    return this.members.filter((member) => member.active && member.role !== "viewer");
  }
}
