import { test, assert } from "jsk:test";
import path, { join, resolve as resolveNamed, posix as posixNamed } from "node:path";
import posixMod from "node:path/posix";
import win32Mod from "node:path/win32";
import { cwd } from "node:internal/cwd";

const { posix, win32 } = path;

// [input, expected] pairs; every expected value is what node v20 returns.
function table(fn, rows) {
  for (const [args, want] of rows) {
    const got = fn(...(Array.isArray(args) ? args : [args]));
    assert.deepEqual(got, want, `${fn.name}(${JSON.stringify(args)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

test("module shape: node:path is posix; posix/win32 cross-link; named exports", () => {
  assert.ok(path === posix && path.posix === posixMod && path.win32 === win32Mod);
  assert.ok(win32.posix === posix && win32.win32 === win32 && posixNamed === posix);
  assert.equal(posix.sep, "/");
  assert.equal(posix.delimiter, ":");
  assert.equal(win32.sep, "\\");
  assert.equal(win32.delimiter, ";");
  assert.equal(join("a", "b"), "a/b");
  assert.equal(resolveNamed("/a", "b"), "/a/b");
});

test("cwd() is the getcwd directory, and resolve uses it", () => {
  const dir = cwd();
  assert.ok(dir.startsWith("/"), dir);
  assert.equal(posix.resolve(), dir);
  assert.equal(posix.resolve("x"), dir === "/" ? "/x" : `${dir}/x`);
  assert.equal(posix.resolve(""), dir);
  assert.equal(win32.resolve("a"), `${dir.replace(/\//g, "\\")}\\a`.replace(/^\\\\/, "\\"));
});

test("posix.normalize", () => {
  table(posix.normalize, [
    ["", "."], [".", "."], ["./", "./"], ["..", ".."], ["../", "../"], ["/", "/"], ["//", "/"], ["///a//b/", "/a/b/"],
    ["a/..", "."], ["a/../", "./"], ["/..", "/"], ["/../a", "/a"], ["../../a/../b", "../../b"],
    ["/foo/bar//baz/asdf/quux/..", "/foo/bar/baz/asdf"], ["a/./b/.", "a/b"], ["./a", "a"], ["a//b//../c/", "a/c/"],
  ]);
});

test("posix.join and resolve", () => {
  table(posix.join, [
    [[], "."], [[""], "."], [["", ""], "."], [["/foo", "bar", "baz/asdf", "quux", ".."], "/foo/bar/baz/asdf"],
    [["a", "", "b"], "a/b"], [["/", "/a"], "/a"], [["a/", "/b/"], "a/b/"], [["..", "..", "a"], "../../a"], [["", "/x"], "/x"],
  ]);
  table(posix.resolve, [
    [["/foo/bar", "./baz"], "/foo/bar/baz"], [["/foo/bar", "/tmp/file/"], "/tmp/file"], [["/", ".."], "/"],
    [["/a/b", "../../../c"], "/c"], [["/a", "", "b/"], "/a/b"], [["/a//b//"], "/a/b"], [["/x", "/"], "/"],
  ]);
  assert.throws(() => posix.join("a", 1), (e) => e.code === "ERR_INVALID_ARG_TYPE" && /"path" argument/.test(e.message));
  // Node says 'The "paths[1]" argument'; node:internal/errors words it "property" (reported).
  assert.throws(() => posix.resolve("a", null), (e) => e.code === "ERR_INVALID_ARG_TYPE" && /"paths\[1\]" (argument|property) must be of type string/.test(e.message));
});

test("posix.relative", () => {
  table(posix.relative, [
    [["/data/orandea/test/aaa", "/data/orandea/impl/bbb"], "../../impl/bbb"], [["/a/b", "/a/b"], ""],
    [["/a/b", "/a/b/c/d"], "c/d"], [["/a/b/c", "/a"], "../.."], [["/", "/a/b"], "a/b"], [["/a/b", "/"], "../.."],
    [["/a/bc", "/a/b"], "../b"], [["/a/b", "/a/bc"], "../bc"], [["/a//b/", "/a/b"], ""],
  ]);
  assert.equal(posix.relative("x", "x/y"), "y");
});

test("posix.dirname, basename, extname", () => {
  table(posix.dirname, [
    ["", "."], ["/", "/"], ["//", "/"], ["a", "."], ["a/", "."], ["/a", "/"], ["/a/b/", "/a"], ["//a", "//"],
    ["/a//b", "/a/"], ["a/b//", "a"], ["./a", "."], ["../a/b", "../a"],
  ]);
  table(posix.basename, [
    ["", ""], ["/", ""], ["/foo/bar/baz/asdf/quux.html", "quux.html"], ["a/b/", "b"], ["//a", "a"], [".js", ".js"],
    [["/foo/quux.html", ".html"], "quux"], [["quux.html", "ux.html"], "qu"], [["a.js", ""], "a.js"], [["a/b.js/", ".js"], "b"],
    [[".js", ".js"], ""], [["x/.js", ".js"], ".js"], [["aaa", "a"], "aa"], [["/", "a"], "/"], [["///", ".js"], "///"],
    [["x/b/", "ab"], "b/"], [["x/b", "c"], "b"],
  ]);
  assert.throws(() => posix.basename("a", 1), /"suffix" argument must be of type string/);
  table(posix.extname, [
    ["index.html", ".html"], ["index.coffee.md", ".md"], ["index.", "."], ["index", ""], [".index", ""], [".index.md", ".md"],
    ["..", ""], ["...", "."], ["..a", ".a"], ["a.b/", ".b"], ["a.b//", ".b"], ["/a.b/c", ""], ["", ""], [".", ""], ["a..", "."],
  ]);
});

test("posix.parse and format", () => {
  assert.deepEqual(posix.parse("/home/user/dir/file.txt"), { root: "/", dir: "/home/user/dir", base: "file.txt", ext: ".txt", name: "file" });
  assert.deepEqual(posix.parse(""), { root: "", dir: "", base: "", ext: "", name: "" });
  assert.deepEqual(posix.parse("/"), { root: "/", dir: "/", base: "", ext: "", name: "" });
  assert.deepEqual(posix.parse("//a"), { root: "/", dir: "/", base: "a", ext: "", name: "a" });
  assert.deepEqual(posix.parse("./.bashrc"), { root: "", dir: ".", base: ".bashrc", ext: "", name: ".bashrc" });
  assert.deepEqual(posix.parse("a/b.c.d/"), { root: "", dir: "a", base: "b.c.d", ext: ".d", name: "b.c" });
  assert.deepEqual(posix.parse("/.."), { root: "/", dir: "/", base: "..", ext: ".", name: "." });
  assert.deepEqual(posix.parse("a/.."), { root: "", dir: "a", base: "..", ext: "", name: ".." });
  assert.equal(posix.format({ root: "/ignored", dir: "/home/user/dir", base: "file.txt" }), "/home/user/dir/file.txt");
  assert.equal(posix.format({ root: "/", base: "file.txt", ext: "ignored" }), "/file.txt");
  assert.equal(posix.format({ root: "/", name: "file", ext: ".txt" }), "/file.txt");
  assert.equal(posix.format({ name: "file", ext: "txt" }), "file.txt");
  assert.equal(posix.format({}), "");
  assert.throws(() => posix.format(null), /"pathObject" argument must be of type object/);
  assert.equal(posix.isAbsolute("/a"), true);
  assert.equal(posix.isAbsolute("a/"), false);
  assert.equal(posix.isAbsolute(""), false);
  assert.equal(posix.toNamespacedPath("a/b"), "a/b");
});

test("win32.normalize and join", () => {
  table(win32.normalize, [
    ["", "."], ["C:", "C:."], ["C:\\", "C:\\"], ["C:/a/../..", "C:\\"], ["C:a\\..\\..", "C:.."], ["C:\\temp\\\\foo\\bar\\..\\", "C:\\temp\\foo\\"],
    ["//", "\\"], ["\\\\server", "\\server"], ["\\\\server\\share", "\\\\server\\share\\"], ["//server/share/a/../b", "\\\\server\\share\\b"],
    ["a/b\\c", "a\\b\\c"], ["\\\\.\\C:\\..", "\\\\.\\"], ["\\\\?\\C:\\x\\..", "\\\\?\\C:"], ["CON:foo", ".\\CON:foo"], ["con:", ".\\con:."],
    ["a\\b\\c:", ".\\a\\b\\c:"], ["a\\..\\b:c", ".\\b:c"], ["a:b", "a:b"], ["ab:c", "ab:c"], ["x\\..\\con:x", "con:x"],
  ]);
  table(win32.join, [
    [["//server", "share"], "\\\\server\\share\\"], [["\\\\\\a", "b"], "\\a\\b"], [["/", "//a"], "\\a"], [["C:", "a"], "C:\\a"],
    [["a", "C:"], ".\\a\\C:"], [["x", "a:"], ".\\x\\a:"], [[], "."], [["", ""], "."], [["c:\\", "..\\.."], "c:\\"],
  ]);
});

test("win32.resolve and relative", () => {
  table(win32.resolve, [
    [["C:\\foo", "bar"], "C:\\foo\\bar"], [["C:\\foo", "D:\\bar"], "D:\\bar"], [["c:/ignore", "d:\\a/b\\c/d", "\\e.exe"], "d:\\e.exe"],
    [["c:/blah\\blah", "d:/games", "c:../a"], "c:\\blah\\a"], [["\\\\server\\share", "..", "relative\\"], "\\\\server\\share\\relative"],
    [["C:\\", ".."], "C:\\"], [["\\\\.\\srv\\"], "\\\\.\\srv"], [["C:\\a\\", "\\b"], "C:\\b"],
  ]);
  table(win32.relative, [
    [["C:\\orandea\\test\\aaa", "C:\\orandea\\impl\\bbb"], "..\\..\\impl\\bbb"], [["C:\\a", "D:\\a"], "D:\\a"],
    [["c:\\A\\b", "C:\\a\\B"], ""], [["C:\\ab", "C:\\a"], "..\\a"], [["C:\\a", "C:\\a\\b\\c"], "b\\c"],
    [["\\\\s\\h\\a", "\\\\s\\g\\b"], "..\\..\\g\\b"], [["\\\\s\\h\\a", "\\\\t\\h\\b"], "\\\\t\\h\\b"], [["C:\\a\\b", "C:\\"], "..\\.."],
  ]);
});

test("win32 dirname, basename, extname, parse, isAbsolute, toNamespacedPath", () => {
  table(win32.dirname, [
    ["C:\\", "C:\\"], ["C:", "C:"], ["C:a", "C:"], ["C:\\a\\b\\", "C:\\a"], ["\\\\s\\h", "\\\\s\\h"], ["\\\\s\\h\\a", "\\\\s\\h\\"],
    ["a\\b/c", "a\\b"], ["\\a", "\\"], ["a", "."], ["//./x/..", "//./x/"],
  ]);
  table(win32.basename, [
    ["C:\\temp\\myfile.html", "myfile.html"], ["C:foo.txt", "foo.txt"], ["\\\\s\\h\\x/", "x"], [["C:\\a.HTML", ".html"], "a.HTML"],
    [["C:\\", "a"], "\\"], [["C:", "a"], ""], ["C:", ""],
  ]);
  table(win32.extname, [["C:\\a.b\\c", ""], ["C:.x", ""], ["file.tar.gz", ".gz"], ["a\\.b", ""]]);
  assert.deepEqual(win32.parse("C:\\path\\dir\\file.txt"), { root: "C:\\", dir: "C:\\path\\dir", base: "file.txt", ext: ".txt", name: "file" });
  assert.deepEqual(win32.parse("\\\\server\\share\\x.y"), { root: "\\\\server\\share\\", dir: "\\\\server\\share\\", base: "x.y", ext: ".y", name: "x" });
  assert.deepEqual(win32.parse("C:"), { root: "C:", dir: "C:", base: "", ext: "", name: "" });
  assert.deepEqual(win32.parse("C:a.b"), { root: "C:", dir: "C:", base: "a.b", ext: ".b", name: "a" });
  assert.equal(win32.format({ dir: "C:\\path\\dir", base: "file.txt" }), "C:\\path\\dir\\file.txt");
  table(win32.isAbsolute, [["//server", true], ["\\\\server", true], ["C:/foo/..", true], ["C:\\foo\\..", true], ["bar\\baz", false], [".", false], ["C:", false], ["C:a", false]]);
  table(win32.toNamespacedPath, [
    ["C:\\x", "\\\\?\\C:\\x"], ["\\\\s\\h\\x", "\\\\?\\UNC\\s\\h\\x"], ["\\\\?\\x", "\\\\?\\x"], ["", ""], [5, 5],
  ]);
});
