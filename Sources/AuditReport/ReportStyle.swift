/// The page's stylesheet: system fonts with CJK fallbacks (no web fonts), light and dark themes
/// from `prefers-color-scheme`, a single column at phone width, and a print layout.
enum ReportStyle {
    static let css = #"""
:root{
  --bg:#ffffff;--fg:#1a1d23;--muted:#5b6270;--line:#d9dde3;--soft:#f4f6f8;--card:#ffffff;
  --accent:#1d5fd1;--accent-fg:#ffffff;--point:#1d5fd1;--range:#9dbbf0;--track:#e3e7ec;
  --heat:#3b7be8;--good:#e7f5ec;--bad:#b42318;--ok:#147a3d;--warn:#8a5a00;
  --c0:#1d5fd1;--c1:#c2410c;--c2:#0f766e;--c3:#7e22ce;--c4:#a16207;--c5:#be185d;
  --font:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;
  --mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","Noto Sans Mono CJK SC",monospace;
  color-scheme:light dark;
}
@media (prefers-color-scheme:dark){:root{
  --bg:#111418;--fg:#e6e9ee;--muted:#a3abb8;--line:#333a44;--soft:#1a1f26;--card:#161a20;
  --accent:#7fb0ff;--accent-fg:#0b1220;--point:#7fb0ff;--range:#35527f;--track:#2a3038;
  --heat:#3d7de0;--good:#14301f;--bad:#ff8a80;--ok:#7ddc9d;--warn:#f0c36d;
  --c0:#7fb0ff;--c1:#ff9f6e;--c2:#5fd4c4;--c3:#c9a0ff;--c4:#f0c36d;--c5:#ff8fc0;
}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 var(--font)}
.wrap{max-width:1200px;margin:0 auto;padding:0 20px}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,.list:focus-visible,.detail:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
code,pre{font-family:var(--mono);font-size:.88em}
.skip{position:absolute;left:-999px;top:0;background:var(--accent);color:var(--accent-fg);padding:6px 10px;z-index:10}
.skip:focus{left:8px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{border-bottom:1px solid var(--line);background:var(--soft);padding:18px 0 0}
.top h1{margin:0;font-size:1.55rem;line-height:1.25}
.sub{margin:4px 0 10px;color:var(--muted)}
.top nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px 18px}
.top nav a{display:inline-block;padding:6px 0 8px;text-decoration:none;color:var(--fg);border-bottom:2px solid transparent}
.top nav a:hover{border-bottom-color:var(--accent)}
section{margin:28px 0 8px}
h2{font-size:1.25rem;margin:0 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:0 0 8px}
.muted{color:var(--muted);font-weight:normal}
.small{font-size:.85em}
.note{color:var(--muted);margin:4px 0 12px;max-width:80ch}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:14px}
.card{border:1px solid var(--line);border-radius:10px;padding:14px 16px;background:var(--card);min-width:0}
.card dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:3px 12px;margin:0}
.card dt{color:var(--muted)}
.card dd{margin:0;overflow-wrap:anywhere}
code.hash{font-size:.8em;word-break:break-all}
.task{margin:0 0 22px}
.scroll{overflow-x:auto;max-width:100%}
table.grid{border-collapse:collapse;width:auto;min-width:50%;font-variant-numeric:tabular-nums}
.grid th,.grid td{border-bottom:1px solid var(--line);padding:7px 12px 7px 0;text-align:left;vertical-align:top}
.grid thead th{font-size:.88em;color:var(--muted);font-weight:600;vertical-align:bottom}
.grid tbody th{font-weight:500}
.grid caption{text-align:left;font-weight:600;padding:4px 0}
a.fig{font-weight:650;text-decoration:none;border-bottom:1px dotted var(--accent);margin-right:6px}
a.fig:hover{border-bottom-style:solid}
svg.bar{vertical-align:middle;margin-right:6px;overflow:visible}
.bar .track{fill:var(--track)}
.bar .range{fill:var(--range)}
.bar .point{fill:var(--point)}
.bar .zero{stroke:var(--muted);stroke-width:1}
.ci,.n{color:var(--muted);font-size:.85em;white-space:nowrap}
.heat-grid{display:flex;flex-wrap:wrap;gap:18px}
.heat-cell{background:color-mix(in srgb,var(--heat) calc(var(--v,0)*70%),transparent);text-align:center!important;padding:7px 10px!important;min-width:76px}
.heat-cell a.fig{color:var(--fg);border-bottom-color:var(--fg);margin:0}
.heat-metric{margin:0 0 8px}
.chart-row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
figure.scatter{margin:0;width:min(380px,100%)}
.scatter-svg{width:100%;height:auto;color:var(--fg)}
.scatter-svg .good{fill:var(--good)}
.scatter-svg .grid-line{stroke:var(--line);stroke-width:1}
.scatter-svg text{fill:var(--fg);font:11px var(--font)}
.scatter-svg .tick,.scatter-svg .quadrant{fill:var(--muted)}
.scatter-svg .axis{font-weight:600}
.pt line{stroke-width:2}.pt circle{stroke:var(--bg);stroke-width:1.5}
.pt.c0{fill:var(--c0);stroke:var(--c0)}.pt.c1{fill:var(--c1);stroke:var(--c1)}.pt.c2{fill:var(--c2);stroke:var(--c2)}
.pt.c3{fill:var(--c3);stroke:var(--c3)}.pt.c4{fill:var(--c4);stroke:var(--c4)}.pt.c5{fill:var(--c5);stroke:var(--c5)}
.pt text{stroke:none;fill:var(--fg);font-weight:600}
.num td{white-space:nowrap}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}
.cmd-label{margin:10px 0 4px;color:var(--muted)}
pre.cmd{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.repro dd code{font-size:.8em;overflow-wrap:anywhere}
footer{color:var(--muted);font-size:.85em;margin:36px auto 28px;border-top:1px solid var(--line)}
/* The sample browser */
.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;margin-bottom:6px}
.filters label{display:flex;flex-direction:column;font-size:.82em;color:var(--muted);gap:2px;min-width:0}
.filters .grow{flex:1 1 220px}
select,input,button{font:inherit;font-size:.95rem;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px 8px;max-width:100%}
.filters select{max-width:200px}
button{cursor:pointer;background:var(--soft)}
button:hover{border-color:var(--accent)}
.count{margin:4px 0 8px;color:var(--muted)}
.browser{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:14px;align-items:start}
.list{position:relative;height:min(70vh,640px);overflow-y:auto;border:1px solid var(--line);border-radius:8px;background:var(--card)}
.spacer{position:relative}
.row{position:absolute;left:0;right:0;height:58px;display:block;width:100%;text-align:left;border:0;border-bottom:1px solid var(--line);border-radius:0;background:transparent;padding:6px 10px;overflow:hidden}
.row:hover{background:var(--soft)}
.row[aria-current="true"]{background:var(--soft);box-shadow:inset 3px 0 0 var(--accent)}
.row .l1{display:flex;gap:8px;font-size:.82em;color:var(--muted);white-space:nowrap;overflow:hidden}
.row .l1 b{color:var(--fg);font-weight:600;flex:0 0 auto;max-width:45%;overflow:hidden;text-overflow:ellipsis}
.row .l1 .meta{flex:0 1 auto;min-width:0;overflow:hidden;text-overflow:ellipsis}
.row .l1 .chip{flex:0 0 auto}
.row .l2{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:.92em}
.chip{display:inline-block;border:1px solid var(--line);border-radius:9px;padding:0 6px;font-size:.78em;line-height:1.5;color:var(--fg)}
.chip.err{border-color:var(--bad);color:var(--bad)}
.detail{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--card);min-height:200px;max-height:min(80vh,900px);overflow:auto}
.detail h3{margin-top:0;overflow-wrap:anywhere}
.msg{border-left:3px solid var(--line);padding:4px 10px;margin:8px 0}
.msg .role{font-size:.78em;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:700}
.msg.system{border-left-color:var(--warn)}.msg.user{border-left-color:var(--c2)}.msg.assistant{border-left-color:var(--accent)}.msg.tool{border-left-color:var(--c3)}
.msg.answer{background:var(--soft)}
.call{font-family:var(--mono);font-size:.85em;background:var(--soft);border-radius:4px;padding:4px 6px;margin:4px 0}
.verdict{border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:8px 0}
.verdict h4{margin:0 0 4px;font-size:.95em}
.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 10px;font-size:.9em}
.kv dt{color:var(--muted)}.kv dd{margin:0;overflow-wrap:anywhere}
details summary{cursor:pointer;color:var(--muted)}
mark{background:#ffe58a;color:#1a1d23}
@media (max-width:760px){
  body{font-size:14px}
  .wrap{padding:0 12px}
  .top h1{font-size:1.25rem}
  .cards{grid-template-columns:minmax(0,1fr)}
  .browser{grid-template-columns:minmax(0,1fr)}
  .list{height:52vh}
  .filters label{flex:1 1 40%}
  .filters select{max-width:none;width:100%}
  svg.bar{width:64px}
  .grid th,.grid td{padding-right:8px}
}
@media print{
  :root{--bg:#fff;--fg:#000;--muted:#444;--line:#bbb;--soft:#f2f2f2;--card:#fff;--accent:#000}
  body{font-size:11pt}
  .top nav,.skip,#samples,.heat-metric{display:none!important}
  a.fig{border:0;color:#000}
  section,.card,.task,tr{break-inside:avoid}
  .scroll{overflow:visible}
  .cards{display:block}.card{margin-bottom:10px}
}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto!important}}
"""#
}
