//! Zig std on wasm32-wasi: allocation (ArrayList, hash map), sorting,
//! formatting to a buffered stdout, a line on stderr and an exit status.
const std = @import("std");

const Item = struct {
    name: []const u8,
    weight: u32,

    fn lessThan(_: void, a: Item, b: Item) bool {
        if (a.weight != b.weight) return a.weight < b.weight;
        return std.mem.lessThan(u8, a.name, b.name);
    }
};

pub fn main(init: std.process.Init) !u8 {
    const gpa = init.gpa;
    var out_buf: [512]u8 = undefined;
    var out_file: std.Io.File.Writer = .init(.stdout(), init.io, &out_buf);
    const out = &out_file.interface;

    var items: std.ArrayList(Item) = .empty;
    defer items.deinit(gpa);
    const names = [_][]const u8{ "kiwi", "fig", "apple", "date", "cherry", "banana", "elder" };
    for (names, 0..) |name, i| {
        try items.append(gpa, .{ .name = name, .weight = @intCast((i * 7 + name.len * 3) % 10) });
    }
    std.mem.sort(Item, items.items, {}, Item.lessThan);
    for (items.items, 0..) |it, i| {
        try out.print("{d}: {s:<8} weight={d}\n", .{ i, it.name, it.weight });
    }

    var counts: std.AutoHashMap(u8, u32) = .init(gpa);
    defer counts.deinit();
    for (names) |name| {
        for (name) |c| (try counts.getOrPutValue(c, 0)).value_ptr.* += 1;
    }
    var letters: std.ArrayList(u8) = .empty;
    defer letters.deinit(gpa);
    var it = counts.keyIterator();
    while (it.next()) |k| try letters.append(gpa, k.*);
    std.mem.sort(u8, letters.items, {}, std.sort.asc(u8));
    try out.print("letters: {s} ({d} distinct, 'a' x{d})\n", .{ letters.items, letters.items.len, counts.get('a').? });

    const joined = try std.mem.join(gpa, "+", &names);
    defer gpa.free(joined);
    try out.print("joined: {s}\nhex: 0x{x:0>8} float: {d:.3}\n", .{ joined, @as(u32, 0xbeef), @as(f64, 2.0) / 3.0 });
    try out.flush();

    std.debug.print("stderr: {d} items\n", .{items.items.len});
    return @intCast(letters.items.len % 5 + 2);
}
