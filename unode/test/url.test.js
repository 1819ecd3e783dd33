import { test, assert } from "jsk:test";
import url, { URL, URLSearchParams, parse, format, resolve, fileURLToPath, pathToFileURL, urlToHttpOptions, domainToASCII, domainToUnicode } from "node:url";

// [input, base, [href, origin, protocol, username, password, host, hostname, port, pathname, search, hash] | "failure ..."],
// in the style of the web-platform-tests URL suite; every expected value is what node v20 returns.
const parsing = 
[
  ["http://example\t.\norg","http://example.org/foo/bar",["http://example.org/","http://example.org","http:","","","example.org","example.org","","/","",""]],
  [" foo.com  ","http://example.org/foo/bar",["http://example.org/foo/foo.com","http://example.org","http:","","","example.org","example.org","","/foo/foo.com","",""]],
  ["http://f:b/c",null,"failure ERR_INVALID_URL"],
  ["","http://example.org/foo/bar",["http://example.org/foo/bar","http://example.org","http:","","","example.org","example.org","","/foo/bar","",""]],
  ["#","http://example.org/foo/bar",["http://example.org/foo/bar#","http://example.org","http:","","","example.org","example.org","","/foo/bar","",""]],
  ["/:23","http://example.org/foo/bar",["http://example.org/:23","http://example.org","http:","","","example.org","example.org","","/:23","",""]],
  ["\\\\x\\hello","http://example.org/foo/bar",["http://x/hello","http://x","http:","","","x","x","","/hello","",""]],
  ["http::@c:29","http://example.org/foo/bar",["http://example.org/foo/:@c:29","http://example.org","http:","","","example.org","example.org","","/foo/:@c:29","",""]],
  ["http:\\\\foo.com\\","http://example.org/foo/bar",["http://foo.com/","http://foo.com","http:","","","foo.com","foo.com","","/","",""]],
  ["http:\\\\a\\b:c\\d@foo.com\\","http://example.org/foo/bar",["http://a/b:c/d@foo.com/","http://a","http:","","","a","a","","/b:c/d@foo.com/","",""]],
  ["foo:/","http://example.org/foo/bar",["foo:/","null","foo:","","","","","","/","",""]],
  ["http://foo/path;a??e#f#g","http://example.org/foo/bar",["http://foo/path;a??e#f#g","http://foo","http:","","","foo","foo","","/path;a","??e","#f#g"]],
  ["[61:24:74]:98","http://example.org/foo/bar",["http://example.org/foo/[61:24:74]:98","http://example.org","http:","","","example.org","example.org","","/foo/[61:24:74]:98","",""]],
  ["http:[61:27]/:foo","http://example.org/foo/bar",["http://example.org/foo/[61:27]/:foo","http://example.org","http:","","","example.org","example.org","","/foo/[61:27]/:foo","",""]],
  ["http://[1::2]:3:4",null,"failure ERR_INVALID_URL"],
  ["http://2001::1]",null,"failure ERR_INVALID_URL"],
  ["http://[2001::1]",null,["http://[2001::1]/","http://[2001::1]","http:","","","[2001::1]","[2001::1]","","/","",""]],
  ["http://[::127.0.0.1]",null,["http://[::7f00:1]/","http://[::7f00:1]","http:","","","[::7f00:1]","[::7f00:1]","","/","",""]],
  ["http://[0:0:0:0:0:0:13.1.68.3]",null,["http://[::d01:4403]/","http://[::d01:4403]","http:","","","[::d01:4403]","[::d01:4403]","","/","",""]],
  ["http://[2001::1]:80",null,["http://[2001::1]/","http://[2001::1]","http:","","","[2001::1]","[2001::1]","","/","",""]],
  ["ftp:/example.com/","http://example.org/foo/bar",["ftp://example.com/","ftp://example.com","ftp:","","","example.com","example.com","","/","",""]],
  ["file:/example.com/","http://example.org/foo/bar",["file:///example.com/","null","file:","","","","","","/example.com/","",""]],
  ["mailto:/example.com/","http://example.org/foo/bar",["mailto:/example.com/","null","mailto:","","","","","","/example.com/","",""]],
  ["/a/%2f/c","http://example.org/foo/bar",["http://example.org/a/%2f/c","http://example.org","http:","","","example.org","example.org","","/a/%2f/c","",""]],
  ["file:c:\\foo\\bar.html","file:///tmp/mock/path",["file:///c:/foo/bar.html","null","file:","","","","","","/c:/foo/bar.html","",""]],
  ["C|/foo/bar","file:///tmp/mock/path",["file:///C:/foo/bar","null","file:","","","","","","/C:/foo/bar","",""]],
  ["/C|\\foo\\bar","file:///tmp/mock/path",["file:///C:/foo/bar","null","file:","","","","","","/C:/foo/bar","",""]],
  ["//C|/foo/bar","file:///tmp/mock/path",["file:///C:/foo/bar","null","file:","","","","","","/C:/foo/bar","",""]],
  ["\\\\server\\file","file:///tmp/mock/path",["file://server/file","null","file:","","","server","server","","/file","",""]],
  ["file:///foo/bar.txt","file:///tmp/mock/path",["file:///foo/bar.txt","null","file:","","","","","","/foo/bar.txt","",""]],
  ["file:///home/me","file:///tmp/mock/path",["file:///home/me","null","file:","","","","","","/home/me","",""]],
  ["file://test","file:///tmp/mock/path",["file://test/","null","file:","","","test","test","","/","",""]],
  ["file://localhost","file:///tmp/mock/path",["file:///","null","file:","","","","","","/","",""]],
  ["file://localhost/","file:///tmp/mock/path",["file:///","null","file:","","","","","","/","",""]],
  ["file://localhost/test","file:///tmp/mock/path",["file:///test","null","file:","","","","","","/test","",""]],
  ["file:test","file:///tmp/mock/path",["file:///tmp/mock/test","null","file:","","","","","","/tmp/mock/test","",""]],
  ["http://example.com/foo/bar/..",null,["http://example.com/foo/","http://example.com","http:","","","example.com","example.com","","/foo/","",""]],
  ["http://example.com/foo/%2e",null,["http://example.com/foo/","http://example.com","http:","","","example.com","example.com","","/foo/","",""]],
  ["http://example.com/foo/%2e%2",null,["http://example.com/foo/%2e%2","http://example.com","http:","","","example.com","example.com","","/foo/%2e%2","",""]],
  ["http://example.com/foo/%2e./%2e%2e/.%2e/%2e.bar",null,["http://example.com/%2e.bar","http://example.com","http:","","","example.com","example.com","","/%2e.bar","",""]],
  ["http://example.com/foo%",null,["http://example.com/foo%","http://example.com","http:","","","example.com","example.com","","/foo%","",""]],
  ["http://example.com/(%28:%3A%29)",null,["http://example.com/(%28:%3A%29)","http://example.com","http:","","","example.com","example.com","","/(%28:%3A%29)","",""]],
  ["http://example.com\\\\foo\\\\bar",null,["http://example.com//foo//bar","http://example.com","http:","","","example.com","example.com","","//foo//bar","",""]],
  ["http://example.com/%7Ffp3>*()['@!$&'\"*+,-.;=_`{}~",null,["http://example.com/%7Ffp3%3E*()['@!$&'%22*+,-.;=_%60%7B%7D~","http://example.com","http:","","","example.com","example.com","","/%7Ffp3%3E*()['@!$&'%22*+,-.;=_%60%7B%7D~","",""]],
  ["http://example.com/\u2025/foo",null,["http://example.com/%E2%80%A5/foo","http://example.com","http:","","","example.com","example.com","","/%E2%80%A5/foo","",""]],
  ["http://192.0x00A80001",null,["http://192.168.0.1/","http://192.168.0.1","http:","","","192.168.0.1","192.168.0.1","","/","",""]],
  ["http:\\\\www.google.com\\foo",null,["http://www.google.com/foo","http://www.google.com","http:","","","www.google.com","www.google.com","","/foo","",""]],
  ["http://foo:81/",null,["http://foo:81/","http://foo:81","http:","","","foo:81","foo","81","/","",""]],
  ["gopher://foo:70/",null,["gopher://foo:70/","null","gopher:","","","foo:70","foo","70","/","",""]],
  ["wss://foo:81/",null,["wss://foo:81/","wss://foo:81","wss:","","","foo:81","foo","81","/","",""]],
  ["http:/a:b@www.example.com",null,["http://a:b@www.example.com/","http://www.example.com","http:","a","b","www.example.com","www.example.com","","/","",""]],
  ["http://user@/www.example.com",null,"failure ERR_INVALID_URL"],
  ["http://a:b@/www.example.com",null,"failure ERR_INVALID_URL"],
  ["http:/@:www.example.com",null,"failure ERR_INVALID_URL"],
  ["test.txt","http://www.example.com/test",["http://www.example.com/test.txt","http://www.example.com","http:","","","www.example.com","www.example.com","","/test.txt","",""]],
  ["//www.example2.com","http://www.example.com/test",["http://www.example2.com/","http://www.example2.com","http:","","","www.example2.com","www.example2.com","","/","",""]],
  ["file:...","http://www.example.com/test",["file:///...","null","file:","","","","","","/...","",""]],
  ["file:..","http://www.example.com/test",["file:///","null","file:","","","","","","/","",""]],
  ["file:a","http://www.example.com/test",["file:///a","null","file:","","","","","","/a","",""]],
  ["http://Goo%20 goo%7C|.com","http://other.com/","failure ERR_INVALID_URL"],
  ["http://[]","http://other.com/","failure ERR_INVALID_URL"],
  ["http://[:]","http://other.com/","failure ERR_INVALID_URL"],
  ["https://x/?#\u0000y",null,["https://x/?#%00y","https://x","https:","","","x","x","","/","","#%00y"]],
  ["https://x/\ufffd?\ufffd#\ufffd",null,["https://x/%EF%BF%BD?%EF%BF%BD#%EF%BF%BD","https://x","https:","","","x","x","","/%EF%BF%BD","?%EF%BF%BD","#%EF%BF%BD"]],
  ["http://\uff27\uff4f.com","http://other.com/",["http://go.com/","http://go.com","http:","","","go.com","go.com","","/","",""]],
  ["https://fa\u00df.ExAmPlE/",null,["https://xn--fa-hia.example/","https://xn--fa-hia.example","https:","","","xn--fa-hia.example","xn--fa-hia.example","","/","",""]],
  ["sc://fa\u00df.ExAmPlE/",null,["sc://fa%C3%9F.ExAmPlE/","null","sc:","","","fa%C3%9F.ExAmPlE","fa%C3%9F.ExAmPlE","","/","",""]],
  ["http://%30%78%63%30%2e%30%32%35%30.01","http://other.com/",["http://192.168.0.1/","http://192.168.0.1","http:","","","192.168.0.1","192.168.0.1","","/","",""]],
  ["http://%30%78%63%30%2e%30%32%35%30.01%2e","http://other.com/",["http://192.168.0.1/","http://192.168.0.1","http:","","","192.168.0.1","192.168.0.1","","/","",""]],
  ["http://192.168.0.257","http://other.com/","failure ERR_INVALID_URL"],
  ["http://%3g%78%63%30%2e%30%32%35%30%2E.01","http://other.com/","failure ERR_INVALID_URL"],
  ["http://192.168.0.1 hello","http://other.com/","failure ERR_INVALID_URL"],
  ["h://.","about:blank",["h://.","null","h:","","",".",".","","","",""]],
  ["http://[www.google.com]/",null,"failure ERR_INVALID_URL"],
  ["i","sc:sd","failure ERR_INVALID_URL"],
  ["../i","sc://ho/pa",["sc://ho/i","null","sc:","","","ho","ho","","/i","",""]],
  ["mailto:/../",null,["mailto:/","null","mailto:","","","","","","/","",""]],
  ["sc://\u00f1.test/",null,["sc://%C3%B1.test/","null","sc:","","","%C3%B1.test","%C3%B1.test","","/","",""]],
  ["sc://%/",null,["sc://%/","null","sc:","","","%","%","","/","",""]],
  ["sc://@/",null,"failure ERR_INVALID_URL"],
  ["sc://te@s:t@/",null,"failure ERR_INVALID_URL"],
  ["sc://:/",null,"failure ERR_INVALID_URL"],
  ["sc://:12/",null,"failure ERR_INVALID_URL"],
  ["x","sc://\u00f1",["sc://%C3%B1/x","null","sc:","","","%C3%B1","%C3%B1","","/x","",""]],
  ["sc:\\../",null,["sc:\\../","null","sc:","","","","","","\\../","",""]],
  ["sc::a@example.net",null,["sc::a@example.net","null","sc:","","","","","",":a@example.net","",""]],
  ["sc:a@example.net",null,["sc:a@example.net","null","sc:","","","","","","a@example.net","",""]],
  ["sc://a b/",null,"failure ERR_INVALID_URL"],
  ["sc://a<b",null,"failure ERR_INVALID_URL"],
  ["sc://a>b",null,"failure ERR_INVALID_URL"],
  ["sc://a[b/",null,"failure ERR_INVALID_URL"],
  ["sc://a\\b/",null,"failure ERR_INVALID_URL"],
  ["sc://a]b/",null,"failure ERR_INVALID_URL"],
  ["sc://a^b",null,"failure ERR_INVALID_URL"],
  ["sc://a|b/",null,"failure ERR_INVALID_URL"],
  ["foo://ho%00st/",null,["foo://ho%00st/","null","foo:","","","ho%00st","ho%00st","","/","",""]],
  ["sc://\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\u000b\f\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f!\"$%&'()*+,-.;=_`{}~/",null,["sc://%01%02%03%04%05%06%07%08%0B%0C%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F%7F!\"$%&'()*+,-.;=_`{}~/","null","sc:","","","%01%02%03%04%05%06%07%08%0B%0C%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F%7F!\"$%&'()*+,-.;=_`{}~","%01%02%03%04%05%06%07%08%0B%0C%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F%7F!\"$%&'()*+,-.;=_`{}~","","/","",""]],
  ["ftp://example.com%A0/",null,"failure ERR_INVALID_URL"],
  ["https://localhost:3000/jqueryui@1.2.3",null,["https://localhost:3000/jqueryui@1.2.3","https://localhost:3000","https:","","","localhost:3000","localhost","3000","/jqueryui@1.2.3","",""]],
  ["sc:","https://example.org/foo/bar",["sc:","null","sc:","","","","","","","",""]],
  ["http://foo.bar/baz?qux#foo\bbar",null,["http://foo.bar/baz?qux#foo%08bar","http://foo.bar","http:","","","foo.bar","foo.bar","","/baz","?qux","#foo%08bar"]],
  ["http://192.168.257","http://other.com/",["http://192.168.1.1/","http://192.168.1.1","http:","","","192.168.1.1","192.168.1.1","","/","",""]],
  ["http://192.168.257.","http://other.com/",["http://192.168.1.1/","http://192.168.1.1","http:","","","192.168.1.1","192.168.1.1","","/","",""]],
  ["http://192.168.257.com","http://other.com/",["http://192.168.257.com/","http://192.168.257.com","http:","","","192.168.257.com","192.168.257.com","","/","",""]],
  ["http://999999999.com","http://other.com/",["http://999999999.com/","http://999999999.com","http:","","","999999999.com","999999999.com","","/","",""]],
  ["http://0xffffffff","http://other.com/",["http://255.255.255.255/","http://255.255.255.255","http:","","","255.255.255.255","255.255.255.255","","/","",""]],
  ["http://0xffffffff1","http://other.com/","failure ERR_INVALID_URL"],
  ["http://256.256.256.256","http://other.com/","failure ERR_INVALID_URL"],
  ["https://0x.0x.0",null,["https://0.0.0.0/","https://0.0.0.0","https:","","","0.0.0.0","0.0.0.0","","/","",""]],
  ["https://0x100000000/test",null,"failure ERR_INVALID_URL"],
  ["file:///C%3A/",null,["file:///C%3A/","null","file:","","","","","","/C%3A/","",""]],
  ["file:///C%7C/",null,["file:///C%7C/","null","file:","","","","","","/C%7C/","",""]],
  ["file://%43%3A",null,"failure ERR_INVALID_URL"],
  ["file://%43%7C",null,"failure ERR_INVALID_URL"],
  ["file://%43|",null,"failure ERR_INVALID_URL"],
  ["file://C%7C",null,"failure ERR_INVALID_URL"],
  ["file://%43%7C/",null,"failure ERR_INVALID_URL"],
  ["pix/submit.gif","file:///C:/Users/Domenic/Dropbox/GitHub/tmpvar/jsdom/test/level2/html/files/anchor.html",["file:///C:/Users/Domenic/Dropbox/GitHub/tmpvar/jsdom/test/level2/html/files/pix/submit.gif","null","file:","","","","","","/C:/Users/Domenic/Dropbox/GitHub/tmpvar/jsdom/test/level2/html/files/pix/submit.gif","",""]],
  ["//d:/..","file:///C:/a/b",["file:///d:/","null","file:","","","","","","/d:/","",""]],
  ["file:","file:///test?test#test",["file:///test?test","null","file:","","","","","","/test","?test",""]],
  ["file:?x","file:///test?test#test",["file:///test?x","null","file:","","","","","","/test","?x",""]],
  ["#x","file:///test?test#test",["file:///test?test#x","null","file:","","","","","","/test","?test","#x"]],
  ["file:#x","file:///test?test#test",["file:///test?test#x","null","file:","","","","","","/test","?test","#x"]],
  ["file:\\\\//",null,["file:////","null","file:","","","","","","//","",""]],
  ["file:\\\\\\\\",null,["file:////","null","file:","","","","","","//","",""]],
  ["file:\\\\\\\\?fox",null,["file:////?fox","null","file:","","","","","","//","?fox",""]],
  ["file:\\\\\\\\#guppy",null,["file:////#guppy","null","file:","","","","","","//","","#guppy"]],
  ["file://spider///",null,["file://spider///","null","file:","","","spider","spider","","///","",""]],
  ["file:\\\\localhost//",null,["file:////","null","file:","","","","","","//","",""]],
  ["file:///localhost//cat",null,["file:///localhost//cat","null","file:","","","","","","/localhost//cat","",""]],
  ["file://\\/localhost//cat",null,["file:////localhost//cat","null","file:","","","","","","//localhost//cat","",""]],
  ["file://localhost//a//../..//",null,["file://///","null","file:","","","","","","///","",""]],
  ["//localhost//pig","file://lion/",["file:////pig","null","file:","","","","","","//pig","",""]],
  ["file://","file://ape/",["file:///","null","file:","","","","","","/","",""]],
  ["C|","file://host/dir/file",["file://host/C:","null","file:","","","host","host","","/C:","",""]],
  ["C|","file://host/D:/dir1/dir2/file",["file://host/C:","null","file:","","","host","host","","/C:","",""]],
  ["C|#","file://host/dir/file",["file://host/C:#","null","file:","","","host","host","","/C:","",""]],
  ["C|?","file://host/dir/file",["file://host/C:?","null","file:","","","host","host","","/C:","",""]],
  ["C|/","file://host/dir/file",["file://host/C:/","null","file:","","","host","host","","/C:/","",""]],
  ["C|\n/","file://host/dir/file",["file://host/C:/","null","file:","","","host","host","","/C:/","",""]]
]
;

// [base href, setter, value, href after | searchParams after] from node v20.
const setters = [
  ["http://user:pass@example.com:8080/p/a?q=1#h","protocol","https","https://user:pass@example.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","protocol","HTTP","http://user:pass@example.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","protocol","ws","ws://user:pass@example.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","username","\u00e9","http://%C3%A9:pass@example.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","password","\u0000","http://user:%00@example.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","host","","http://user:pass@example.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","host","\u00e9.com","http://user:pass@xn--9ca.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","host","\\x","http://user:pass@example.com:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","hostname","x/y","http://user:pass@x:8080/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","port","","http://user:pass@example.com/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","port","443","http://user:pass@example.com:443/p/a?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","pathname","../x","http://user:pass@example.com:8080/x?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","pathname","/C|/w","http://user:pass@example.com:8080/C|/w?q=1#h | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","search","?","http://user:pass@example.com:8080/p/a?#h | "],
  ["http://user:pass@example.com:8080/p/a?q=1#h","hash","f g","http://user:pass@example.com:8080/p/a?q=1#f%20g | q=1"],
  ["http://user:pass@example.com:8080/p/a?q=1#h","href","not a url","throws ERR_INVALID_URL"],
  ["https://example.net","protocol","file","file://example.net/ | "],
  ["https://example.net","protocol","","https://example.net/ | "],
  ["https://example.net","username","a b@c:d","https://a%20b%40c%3Ad@example.net/ | "],
  ["https://example.net","password","a:b@/","https://:a%3Ab%40%2F@example.net/ | "],
  ["https://example.net","host","a:b","https://a/ | "],
  ["https://example.net","host","x#y","https://x/ | "],
  ["https://example.net","host","host:65536","https://host/ | "],
  ["https://example.net","hostname","","https://example.net/ | "],
  ["https://example.net","port","81","https://example.net:81/ | "],
  ["https://example.net","port","65536","https://example.net/ | "],
  ["https://example.net","pathname","/a/b","https://example.net/a/b | "],
  ["https://example.net","pathname","\\z","https://example.net/z | "],
  ["https://example.net","search","a=b c","https://example.net/?a=b%20c | a=b+c"],
  ["https://example.net","search","'","https://example.net/?%27 | %27="],
  ["https://example.net","hash","\u0000x`","https://example.net/#%00x%60 | "],
  ["file:///C:/x","protocol","http:","file:///C:/x | "],
  ["file:///C:/x","protocol","a+b:","file:///C:/x | "],
  ["file:///C:/x","protocol","mailto","file:///C:/x | "],
  ["file:///C:/x","username","%41","file:///C:/x | "],
  ["file:///C:/x","host","example.org","file://example.org/C:/x | "],
  ["file:///C:/x","host","x/y","file://x/C:/x | "],
  ["file:///C:/x","host","1.2.3","file://1.2.0.3/C:/x | "],
  ["file:///C:/x","hostname","example.org","file://example.org/C:/x | "],
  ["file:///C:/x","hostname","0x7f.1","file://127.0.0.1/C:/x | "],
  ["file:///C:/x","port","8080abc","file:///C:/x | "],
  ["file:///C:/x","port","  22","file:///C:/x | "],
  ["file:///C:/x","pathname","%2e%2E/y","file:///y | "],
  ["file:///C:/x","pathname","//double","file:////double | "],
  ["file:///C:/x","search","#x","file:///C:/x?%23x | %23x="],
  ["file:///C:/x","hash","","file:///C:/x | "],
  ["file:///C:/x","href","sc:x","sc:x | "],
  ["file://host/y","protocol","sc","file://host/y | "],
  ["file://host/y","protocol","wss:junk","wss://host/y | "],
  ["file://host/y","username","","file://host/y | "],
  ["file://host/y","password","","file://host/y | "],
  ["file://host/y","host","[::2]:99","file://host/y | "],
  ["file://host/y","host","ex%41mple","file://example/y | "],
  ["file://host/y","host","h:8080abc","file://host/y | "],
  ["file://host/y","hostname","[::2]","file://[::2]/y | "],
  ["file://host/y","port","80","file://host/y | "],
  ["file://host/y","port","-1","file://host/y | "],
  ["file://host/y","pathname","a b","file://host/a%20b | "],
  ["file://host/y","pathname","","file://host/ | "],
  ["file://host/y","search","","file://host/y | "],
  ["file://host/y","hash","#frag","file://host/y#frag | "],
  ["file://host/y","href","http://new.example/","http://new.example/ | "],
  ["sc://h/p","protocol","ftp","sc://h/p | "],
  ["sc://h/p","protocol","1x","sc://h/p | "],
  ["sc://h/p","username","me","sc://me@h/p | "],
  ["sc://h/p","password","secret","sc://:secret@h/p | "],
  ["sc://h/p","host","example.org:81","sc://example.org:81/p | "],
  ["sc://h/p","host","x?y","sc://x/p | "],
  ["sc://h/p","host","a b","sc://h/p | "],
  ["sc://h/p","hostname","example.org:81","sc://h/p | "],
  ["sc://h/p","hostname","a%20b","sc://a%20b/p | "],
  ["sc://h/p","port","abc","sc://h/p | "],
  ["sc://h/p","port","0","sc://h:0/p | "],
  ["sc://h/p","pathname","?#","sc://h/%3F%23 | "],
  ["sc://h/p","search","?a=b","sc://h/p?a=b | a=b"],
  ["sc://h/p","search","\u00e9=\u00fc","sc://h/p?%C3%A9=%C3%BC | %C3%A9=%C3%BC"],
  ["sc://h/p","hash","#","sc://h/p# | "],
  ["sc:opaque ?x#y","protocol","https","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","protocol","HTTP","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","protocol","ws","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","username","\u00e9","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","password","\u0000","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","host","","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","host","\u00e9.com","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","host","\\x","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","hostname","x/y","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","port","","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","port","443","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","pathname","../x","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","pathname","/C|/w","sc:opaque ?x#y | x="],
  ["sc:opaque ?x#y","search","?","sc:opaque ?#y | "],
  ["sc:opaque ?x#y","hash","f g","sc:opaque ?x#f%20g | x="],
  ["sc:opaque ?x#y","href","not a url","throws ERR_INVALID_URL"],
  ["mailto:me@x","protocol","file","mailto:me@x | "],
  ["mailto:me@x","protocol","","mailto:me@x | "],
  ["mailto:me@x","username","a b@c:d","mailto:me@x | "],
  ["mailto:me@x","password","a:b@/","mailto:me@x | "],
  ["mailto:me@x","host","a:b","mailto:me@x | "],
  ["mailto:me@x","host","x#y","mailto:me@x | "],
  ["mailto:me@x","host","host:65536","mailto:me@x | "],
  ["mailto:me@x","hostname","","mailto:me@x | "],
  ["mailto:me@x","port","81","mailto:me@x | "],
  ["mailto:me@x","port","65536","mailto:me@x | "],
  ["mailto:me@x","pathname","/a/b","mailto:me@x | "],
  ["mailto:me@x","pathname","\\z","mailto:me@x | "],
  ["mailto:me@x","search","a=b c","mailto:me@x?a=b%20c | a=b+c"],
  ["mailto:me@x","search","'","mailto:me@x?' | %27="],
  ["mailto:me@x","hash","\u0000x`","mailto:me@x#%00x%60 | "],
  ["data:text/plain,hi","protocol","http:","data:text/plain,hi | "],
  ["data:text/plain,hi","protocol","a+b:","a+b:text/plain,hi | "],
  ["data:text/plain,hi","protocol","mailto","mailto:text/plain,hi | "],
  ["data:text/plain,hi","username","%41","data:text/plain,hi | "],
  ["data:text/plain,hi","host","example.org","data:text/plain,hi | "],
  ["data:text/plain,hi","host","x/y","data:text/plain,hi | "],
  ["data:text/plain,hi","host","1.2.3","data:text/plain,hi | "],
  ["data:text/plain,hi","hostname","example.org","data:text/plain,hi | "],
  ["data:text/plain,hi","hostname","0x7f.1","data:text/plain,hi | "],
  ["data:text/plain,hi","port","8080abc","data:text/plain,hi | "],
  ["data:text/plain,hi","port","  22","data:text/plain,hi | "],
  ["data:text/plain,hi","pathname","%2e%2E/y","data:text/plain,hi | "],
  ["data:text/plain,hi","pathname","//double","data:text/plain,hi | "],
  ["data:text/plain,hi","search","#x","data:text/plain,hi?%23x | %23x="],
  ["data:text/plain,hi","hash","","data:text/plain,hi | "],
  ["data:text/plain,hi","href","sc:x","sc:x | "],
  ["non-spec:/p","protocol","sc","sc:/p | "],
  ["non-spec:/p","protocol","wss:junk","non-spec:/p | "],
  ["non-spec:/p","username","","non-spec:/p | "],
  ["non-spec:/p","password","","non-spec:/p | "],
  ["non-spec:/p","hostname","[::2]","non-spec://[::2]/p | "],
  ["non-spec:/p","port","80","non-spec:/p | "],
  ["non-spec:/p","port","-1","non-spec:/p | "],
  ["non-spec:/p","pathname","a b","non-spec:/a%20b | "],
  ["non-spec:/p","pathname","","non-spec:/ | "],
  ["non-spec:/p","search","","non-spec:/p | "],
  ["non-spec:/p","hash","#frag","non-spec:/p#frag | "],
  ["non-spec:/p","href","http://new.example/","http://new.example/ | "],
  ["http://[::1]/","protocol","ftp","ftp://[::1]/ | "],
  ["http://[::1]/","protocol","1x","http://[::1]/ | "],
  ["http://[::1]/","username","me","http://me@[::1]/ | "],
  ["http://[::1]/","password","secret","http://:secret@[::1]/ | "],
  ["http://[::1]/","host","example.org:81","http://example.org:81/ | "],
  ["http://[::1]/","host","x?y","http://x/ | "],
  ["http://[::1]/","host","a b","http://[::1]/ | "],
  ["http://[::1]/","hostname","example.org:81","http://[::1]/ | "],
  ["http://[::1]/","hostname","a%20b","http://[::1]/ | "],
  ["http://[::1]/","port","abc","http://[::1]/ | "],
  ["http://[::1]/","port","0","http://[::1]:0/ | "],
  ["http://[::1]/","pathname","?#","http://[::1]/%3F%23 | "],
  ["http://[::1]/","search","?a=b","http://[::1]/?a=b | a=b"],
  ["http://[::1]/","search","\u00e9=\u00fc","http://[::1]/?%C3%A9=%C3%BC | %C3%A9=%C3%BC"],
  ["http://[::1]/","hash","#","http://[::1]/# | "],
  ["ws://a/","protocol","https","https://a/ | "],
  ["ws://a/","protocol","HTTP","http://a/ | "],
  ["ws://a/","protocol","ws","ws://a/ | "],
  ["ws://a/","username","\u00e9","ws://%C3%A9@a/ | "],
  ["ws://a/","password","\u0000","ws://:%00@a/ | "],
  ["ws://a/","host","","ws://a/ | "],
  ["ws://a/","host","\u00e9.com","ws://xn--9ca.com/ | "],
  ["ws://a/","host","\\x","ws://a/ | "],
  ["ws://a/","hostname","x/y","ws://x/ | "],
  ["ws://a/","port","","ws://a/ | "],
  ["ws://a/","port","443","ws://a:443/ | "],
  ["ws://a/","pathname","../x","ws://a/x | "],
  ["ws://a/","pathname","/C|/w","ws://a/C|/w | "],
  ["ws://a/","search","?","ws://a/? | "],
  ["ws://a/","hash","f g","ws://a/#f%20g | "],
  ["ws://a/","href","not a url","throws ERR_INVALID_URL"]
];

test("URL parsing: WPT-style cases match node", () => {
  for (const [input, base, want] of parsing) {
    let got;
    try {
      const u = base === null ? new URL(input) : new URL(input, base);
      got = [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash];
    } catch (e) {
      got = `failure ${e.code}`;
    }
    assert.deepEqual(got, want, `new URL(${JSON.stringify(input)}, ${JSON.stringify(base)})`);
  }
});

test("URL setters with their state overrides", () => {
  for (const [base, key, value, want] of setters) {
    let got;
    try {
      const u = new URL(base);
      u[key] = value;
      got = `${u.href} | ${u.searchParams.toString()}`;
    } catch (e) {
      got = `throws ${e.code}`;
    }
    assert.equal(got, want, `${base} .${key} = ${JSON.stringify(value)}`);
  }
});

test("URL errors, statics, toJSON, shape", () => {
  assert.throws(() => new URL("http://[::1"), (e) => e instanceof TypeError && e.code === "ERR_INVALID_URL" && e.message === "Invalid URL" && e.input === "http://[::1");
  assert.throws(() => new URL("x", "bad"), (e) => e.code === "ERR_INVALID_URL" && e.input === "x" && e.base === "bad");
  assert.throws(() => new URL(), (e) => e.code === "ERR_MISSING_ARGS");
  assert.equal(URL.canParse("x", "http://a/"), true);
  assert.equal(URL.canParse("x"), false);
  assert.equal(URL.parse("nope"), null);
  assert.equal(URL.parse("/p", "http://h/").href, "http://h/p");
  assert.equal(JSON.stringify({ u: new URL("http://a/b") }), '{"u":"http://a/b"}');
  assert.equal(String(new URL("HTTP://A.com:80")), "http://a.com/");
  assert.equal(Object.prototype.toString.call(new URL("http://a")), "[object URL]");
  assert.equal(Object.keys(new URL("http://a")).length, 0);
  assert.equal(new URL("blob:https://a.com:443/x").origin, "https://a.com");
  assert.equal(new URL("file:///x").origin, "null");
  assert.equal(new URL("http://user:pa%20ss@h").password, "pa%20ss");
});

test("searchParams stays in sync with search", () => {
  const u = new URL("http://a/?x=1&y=2#f");
  const sp = u.searchParams;
  assert.equal(u.searchParams, sp);
  sp.append("z", "a b&c=é");
  assert.equal(u.href, "http://a/?x=1&y=2&z=a+b%26c%3D%C3%A9#f");
  sp.delete("x");
  sp.set("y", "3");
  sp.append("y", "4");
  sp.set("y", "5");
  assert.equal(u.search, "?y=5&z=a+b%26c%3D%C3%A9");
  assert.equal(sp.size, 2);
  u.search = "?b=2&a=1&a=0";
  assert.deepEqual(sp.getAll("a"), ["1", "0"]);
  assert.equal(sp.get("q"), null);
  assert.equal(sp.has("a", "0"), true);
  assert.equal(sp.has("a", "9"), false);
  sp.delete("a", "1");
  assert.equal(u.href, "http://a/?b=2&a=0#f");
  sp.delete("b");
  sp.delete("a");
  assert.equal(u.href, "http://a/#f");
  u.href = "http://b/?k=v";
  assert.equal(sp.get("k"), "v");
  const o = new URL("sc:op  ?q#f");
  o.hash = "";
  o.search = "";
  assert.equal(o.href, "sc:op");
});

test("URLSearchParams: constructors, serializer, sort, iterators", () => {
  assert.deepEqual([...new URLSearchParams("?x=%20y+z&&=&a=b=c")], [["x", " y z"], ["", ""], ["a", "b=c"]]);
  assert.equal(new URLSearchParams("%zz=%41%").toString(), "%25zz=A%25");
  assert.equal(new URLSearchParams("\ud800=x").toString(), "%EF%BF%BD=x");
  assert.equal(new URLSearchParams(null).toString(), "");
  assert.equal(new URLSearchParams({ a: 1, b: "x y", c: undefined, "é": null }).toString(), "a=1&b=x+y&c=undefined&%C3%A9=null");
  assert.equal(new URLSearchParams([["a", "1"], new Set(["c", "3"])]).toString(), "a=1&c=3");
  assert.equal(new URLSearchParams(new Map([["m", "1"]])).toString(), "m=1");
  assert.equal(new URLSearchParams(new URLSearchParams("k=v&k=w")).toString(), "k=v&k=w");
  assert.throws(() => new URLSearchParams([["a"]]), (e) => e instanceof TypeError && e.code === "ERR_INVALID_TUPLE");
  assert.throws(() => new URLSearchParams("a").get(), (e) => e.code === "ERR_MISSING_ARGS");
  assert.equal(new URLSearchParams({ "!'()~*-._ ": "\u0000\n\t" }).toString(), "%21%27%28%29%7E*-._+=%00%0A%09");
  const s = new URLSearchParams("z=1&b=2&a=3&b=1&\ud83d\ude00=e&\uffff=f&a=0");
  s.sort();
  assert.equal(s.toString(), "a=3&a=0&b=2&b=1&z=1&%F0%9F%98%80=e&%EF%BF%BF=f");
  const it = new URLSearchParams("a=1&b=2");
  const keys = it.keys();
  it.append("c", "3");
  assert.deepEqual([...keys], ["a", "b", "c"]);
  assert.deepEqual([...it.values()], ["1", "2", "3"]);
  assert.deepEqual([...it], [["a", "1"], ["b", "2"], ["c", "3"]]);
  assert.equal(Object.prototype.toString.call(keys), "[object URLSearchParams Iterator]");
  const seen = [];
  it.forEach(function (v, k, p) { seen.push(`${k}${v}${p === it}${this}`); }, 7);
  assert.deepEqual(seen, ["a1true7", "b2true7", "c3true7"]);
});

test("legacy url.parse", () => {
  const u = parse("http://user:pass@Host.COM:8080/p/a/t/h?query=string#hash", true);
  assert.ok(u instanceof url.Url);
  assert.deepEqual({ ...u, query: { ...u.query } }, {
    protocol: "http:", slashes: true, auth: "user:pass", host: "host.com:8080", port: "8080", hostname: "host.com", hash: "#hash",
    search: "?query=string", query: { query: "string" }, pathname: "/p/a/t/h", path: "/p/a/t/h?query=string",
    href: "http://user:pass@host.com:8080/p/a/t/h?query=string#hash",
  });
  const rows = [
    ["/p?q=1", "/p?q=1", null, "/p"], ["//a/b", "//a/b", null, "//a/b"], ["mailto:a@b.c", "mailto:a@b.c", "b.c", null],
    ["http://a b.com/x y", "http://a/%20b.com/x%20y", "a", "%20b.com/x%20y"], ["http://[::1]:80/x", "http://[::1]:80/x", "::1", "/x"],
    ["http://a.com\\b\\c?d\\e", "http://a.com/b/c?d%5Ce", "a.com", "/b/c"], ["http://a@b@c/", "http://a%40b@c/", "c", "/"],
    ["http://a.com:abc/", "http://a.com/:abc/", "a.com", "/:abc/"], ["http://ñ.com/ü", "http://xn--ida.com/ü", "xn--ida.com", "/ü"],
    ["javascript:alert(1)", "javascript:alert(1)", null, "alert(1)"], ["foo:a.\t=^", "foo:a.=%5E", "a.=", "%5E"], ["  http://a.com/  ", "http://a.com/", "a.com", "/"],
  ];
  for (const [input, href, hostname, pathname] of rows) {
    const r = parse(input);
    assert.deepEqual([r.href, r.hostname, r.pathname], [href, hostname, pathname], input);
  }
  assert.equal(parse("//a/b", false, true).host, "a");
  assert.equal(Object.getPrototypeOf(parse("/x", true).query), null);
  assert.throws(() => parse(5), (e) => e.code === "ERR_INVALID_ARG_TYPE");
  assert.throws(() => parse("http://xn--iñvalid.com/"), (e) => e.code === "ERR_INVALID_URL");
});

test("legacy url.format and url.resolve", () => {
  assert.equal(format({ protocol: "http", host: "a.com", pathname: "/x y", query: { a: 1, b: [2, 3] } }), "http://a.com/x y?a=1&b=2&b=3");
  assert.equal(format({ protocol: "https:", hostname: "a.com", port: 8080, search: "q=1", hash: "h" }), "https://a.com:8080?q=1#h");
  assert.equal(format({ protocol: "mailto", pathname: "a@b" }), "mailto:a@b");
  assert.equal(format({ auth: "a b:c@d!$&'()*+,;=%/?#[]", host: "x" }), "a%20b:c%40d!%24%26'()*%2B%2C%3B%3D%25%2F%3F%23%5B%5D@x");
  assert.equal(format("http://a.com/x"), "http://a.com/x");
  const w = new URL("http://u:p@a.com/x?y#z");
  assert.equal(format(w, { auth: false }), "http://a.com/x?y#z");
  assert.equal(format(w, { search: false }), "http://u:p@a.com/x#z");
  assert.equal(format(w, { fragment: false }), "http://u:p@a.com/x?y");
  assert.equal(format(new URL("http://xn--zca.de/"), { unicode: true }), "http://ß.de/");
  assert.throws(() => format(5), /"urlObject" argument must be one of type object or string/);
  const cases = [
    ["/one/two/three", "four", "/one/two/four"], ["http://example.com/", "/one", "http://example.com/one"],
    ["http://example.com/one", "/two", "http://example.com/two"], ["http://a/b/c/d;p?q", "../g", "http://a/b/g"],
    ["http://a/b/c/d;p?q", "//g", "http://g/"], ["http://a/b", "?x", "http://a/b?x"], ["mailto:a@b", "c", "mailto:a@c"],
    ["http://a/b/c", "../../../../x", "http://a/x"], ["a/b", "c", "a/c"], ["http://a.com", "b", "http://a.com/b"],
    ["http://a/b/c/d;p?q", "g:h", "g:h"], ["http://a/b/c/d;p?q", "g?y/./x", "http://a/b/c/g?y/./x"], ["http://a/b/c/d;p?q", "..", "http://a/b/"],
    ["http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"], ["http://a/b/c/d;p?q", "http:g", "http://a/b/c/g"], ["news:u@h/a", "news:b", "news:b"],
    ["mailto:u@h", "x", "mailto:u@x"],
  ];
  for (const [from, to, want] of cases) assert.equal(resolve(from, to), want, `resolve(${from}, ${to})`);
});

test("file URLs, urlToHttpOptions, domains", () => {
  assert.equal(pathToFileURL("/tmp/a b#?%\\\n\t\r^|\"{}ü").href, "file:///tmp/a%20b%23%3F%25%5C%0A%09%0D%5E%7C%22%7B%7D%C3%BC");
  assert.equal(pathToFileURL("/x/").href, "file:///x/");
  assert.equal(pathToFileURL("C:\\a b\\c", { windows: true }).href, "file:///C:/a%20b/c");
  assert.equal(pathToFileURL("\\\\srv\\share\\x y", { windows: true }).href, "file://srv/share/x%20y");
  assert.equal(fileURLToPath("file:///a%20b/%C3%BC"), "/a b/ü");
  assert.equal(fileURLToPath(new URL("file://localhost/x")), "/x");
  assert.equal(fileURLToPath("file:///C:/a%20b", { windows: true }), "C:\\a b");
  assert.equal(fileURLToPath("file://srv/sh/x", { windows: true }), "\\\\srv\\sh\\x");
  assert.throws(() => fileURLToPath("file://h/x"), (e) => e.code === "ERR_INVALID_FILE_URL_HOST");
  assert.throws(() => fileURLToPath("http://x/"), (e) => e.code === "ERR_INVALID_URL_SCHEME" && e.message === "The URL must be of scheme file");
  assert.throws(() => fileURLToPath("file:///a%2fb"), (e) => e.code === "ERR_INVALID_FILE_URL_PATH");
  assert.throws(() => fileURLToPath(5), /"path" argument must be of type string or an instance of URL/);
  const o = urlToHttpOptions(new URL("https://a:b%20c@[::1]:8080/p?q#h"));
  assert.deepEqual({ ...o }, { protocol: "https:", hostname: "::1", hash: "#h", search: "?q", pathname: "/p", path: "/p?q", href: "https://a:b%20c@[::1]:8080/p?q#h", port: 8080, auth: "a:b c" });
  assert.deepEqual(
    [domainToASCII("español.com"), domainToASCII("xn--iñvalid.com"), domainToASCII("a b.com"), domainToASCII("EXAMPLE.com"), domainToASCII("1.2.3"),
      domainToUnicode("xn--espaol-zwa.com"), domainToUnicode("XN--ESPAOL-ZWA.COM"), domainToUnicode("ｅｘａｍｐｌｅ.com")],
    ["xn--espaol-zwa.com", "", "", "example.com", "1.2.0.3", "español.com", "español.com", "example.com"]);
});
