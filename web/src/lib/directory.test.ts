import { describe, expect, it } from "vitest";
import { Directory, type DirectoryMember } from "./directory";

const ada: DirectoryMember = { id: "u-ada", name: "Ada Lovelace", initials: "AL", role: "owner", active: true };
const brook: DirectoryMember = { id: "u-brook", name: "Brook Agent", initials: "BA", role: "agent", active: true };
const gone: DirectoryMember = { id: "u-gone", name: "Gone Person", initials: "GP", role: "agent", active: false };
const viewer: DirectoryMember = { id: "u-view", name: "Vera Viewer", initials: "VV", role: "viewer", active: true };

describe("the member directory", () => {
  const directory = new Directory([ada, brook, gone, viewer], "u-ada");

  it("names members by id, deactivated ones included, and says you for the signed-in member", () => {
    expect(directory.name("u-brook")).toBe("Brook Agent");
    expect(directory.name("u-gone")).toBe("Gone Person");
    expect(directory.nameOrYou("u-ada")).toBe("You");
    expect(directory.nameOrYou("u-brook")).toBe("Brook Agent");
  });

  it("shows a dash, not a made-up name, for someone it does not know", () => {
    expect(directory.name("u-unknown")).toBe("—");
    expect(directory.name(null)).toBe("—");
    expect(new Directory([]).name("u-brook")).toBe("—");
  });

  it("offers only active members who work tickets for assigning and direct messages", () => {
    expect(directory.workers().map((member) => member.name)).toEqual(["Ada Lovelace", "Brook Agent"]);
  });
});
