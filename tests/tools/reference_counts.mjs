// Runs the networks' own reference implementations on texts; reference_counts.py drives it.
//
// Reads {"x": [...], "bluesky": [...], "mastodon": [...], "ruby_graphemes": [...],
// "threads": [...]} (lists of texts) on stdin and writes the same keys with one result per
// text on stdout:
//   x               npm twitter-text@3.1.0 parseTweet: {weightedLength, valid}
//   bluesky         npm @atproto/api RichText: {graphemes, bytes, facets: [[byteStart, byteEnd, kind, value]]}
//                   from detectFacetsWithoutResolution (a mention's value is its handle)
//   mastodon        Mastodon's StatusLengthValidator run by Ruby 3.4 (npm @ruby/3.4-wasm-wasi),
//                   see mastodon_count.rb; "nameprep" (an object) holds the RFC 3454 tables it needs
//   ruby_graphemes  Ruby 3.4's String#each_grapheme_cluster.size (Unicode 15.0)
//   unicode15_unknown (true) the ranges of code points Ruby 3.4 calls unassigned (Unicode
//                   15.0) and segments as plain characters (no pictograph, no control)
//   bluesky_short_url  how the Bluesky app shows a link (social-app's toShortUrl on Node's URL)
//   threads         Threads' documented rule ("emojis are counted as the number of UTF-8 bytes"):
//                   Intl.Segmenter clusters, an RGI emoji or a pictograph counting its UTF-8 bytes
//
// Environment: REF (a folder where those npm packages are installed), TWITTER_TEXT_RB
// (the twitter-text repository's rb/ folder at v3.1.0, with lib/assets/tld_lib.yml and
// config/ as the gem ships them) and MASTODON (a folder holding the four Mastodon files
// mastodon_count.rb names).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { WASI } from "node:wasi";

const ref = createRequire(path.join(process.env.REF, "package.json"));
const load = (name) => import(pathToFileURL(ref.resolve(name)).href);
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const output = {};

const twitter = ref("twitter-text");
output.x = (input.x || []).map((text) => {
  const r = twitter.parseTweet(text);
  return { weightedLength: r.weightedLength, valid: r.valid };
});

const { RichText } = await load("@atproto/api");
output.bluesky = (input.bluesky || []).map((text) => {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  const facets = (rt.facets || []).map((f) => {
    const feature = f.features[0];
    const kind = feature.$type.split("#")[1];
    return [f.index.byteStart, f.index.byteEnd, kind, feature.uri ?? feature.did ?? feature.tag];
  });
  return { graphemes: rt.graphemeLength, bytes: rt.length, facets };
});

// The Bluesky app shows a link as its toShortUrl makes it (bluesky-social/social-app,
// src/lib/strings/url-helpers.ts): new URL(url)'s host, then its pathname ("/" left out), search
// and hash, cut to 13 characters and "..." when longer than 15; the URL itself when new URL throws
// or the scheme is not http(s).
output.bluesky_short_url = (input.bluesky_short_url || []).map((url) => {
  let parsed;
  try { parsed = new URL(url); } catch { return url; }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return url;
  const rest = (parsed.pathname === "/" ? "" : parsed.pathname) + parsed.search + parsed.hash;
  return parsed.host + (rest.length > 15 ? rest.slice(0, 13) + "..." : rest);
});

const segmenter = new Intl.Segmenter();
const emoji = /\p{RGI_Emoji}|\p{Extended_Pictographic}|\p{Regional_Indicator}/v;
output.threads = (input.threads || []).map((text) =>
  [...segmenter.segment(text)].reduce(
    (sum, { segment }) => sum + (emoji.test(segment) ? Buffer.byteLength(segment) : 1), 0));

if (input.mastodon?.length || input.ruby_graphemes?.length || input.unicode15_unknown) {
  const { RubyVM } = await load("@ruby/wasm-wasi");
  const wasm = fs.readFileSync(ref.resolve("@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm"));
  const wasi = new WASI({
    version: "preview1", returnOnExit: true,
    preopens: { "/twitter-text": process.env.TWITTER_TEXT_RB, "/mastodon": process.env.MASTODON,
                "/tools": path.dirname(new URL(import.meta.url).pathname) },
  });
  const { vm } = await RubyVM.instantiateModule({ module: await WebAssembly.compile(wasm), wasip1: wasi });
  // A Ruby string literal of the JSON; "#" escaped, or "#@x" and "#{" would interpolate.
  const json = (value) => JSON.stringify(JSON.stringify(value).replace(/#/g, "\\u0023"));
  vm.eval(`require 'json'; $texts = JSON.parse(${json(input.ruby_graphemes || [])})`);
  output.ruby_graphemes = JSON.parse(vm.eval("JSON.generate($texts.map { |t| t.each_grapheme_cluster.size })").toString());
  vm.eval(`$texts = JSON.parse(${json(input.mastodon || [])}); $nameprep = JSON.parse(${json(input.nameprep || {})})`);
  vm.eval("TWITTER_TEXT_RB = '/twitter-text'; MASTODON = '/mastodon'; load '/tools/mastodon_count.rb'");
  output.mastodon = JSON.parse(vm.eval("$counts").toString());
  // [first, last] ranges that Ruby calls unassigned, but for pictographs and for controls
  // (U+2065, U+FFF0-FFF8, U+E0000-E0FFF take no mark): ranges of plain "Other" characters.
  if (input.unicode15_unknown) {
    output.unicode15_unknown = JSON.parse(vm.eval(`JSON.generate((0..0x10FFFF).reject { |c| (0xD800..0xDFFF).cover?(c) }
      .reject { |c| c.chr("UTF-8").match?(/[\\p{Assigned}\\p{Extended_Pictographic}]/) }
      .select { |c| (c.chr("UTF-8") + "\\u0301").each_grapheme_cluster.size == 1 }
      .slice_when { |a, b| b != a + 1 }.map { |r| [r[0], r[-1]] })`).toString());
  }
}
process.stdout.write(JSON.stringify(output));
