// A scripted model on 127.0.0.1 for `make check-agents`: it asks for one
// shell command, then reports what the tool said. Speaks just enough of the
// Anthropic Messages API (Claude Code) and the OpenAI Responses API (Codex),
// streaming, to drive the real clients. Every request body is saved in
// LOG_DIR so the test can read what the model was told.
//
//   node mock_model.js PORT_FILE LOG_DIR COMMAND
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const [portFile, logDir, command] = process.argv.slice(2);
if (!portFile || !logDir || !command) {
  console.error('usage: node mock_model.js PORT_FILE LOG_DIR COMMAND');
  process.exit(2);
}
let seq = 0;

function sse(res, events) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const ev of events) res.write(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
  res.end();
}

// --- Anthropic Messages (Claude Code) ---------------------------------------
function toolResultText(body) {
  for (const m of body.messages || []) {
    if (!Array.isArray(m.content)) continue;
    for (const c of m.content) {
      if (c.type !== 'tool_result') continue;
      if (typeof c.content === 'string') return c.content;
      if (Array.isArray(c.content)) return c.content.map((x) => x.text || '').join('');
      return '';
    }
  }
  return null;
}

function anthropic(body, res) {
  const id = `msg_mock${++seq}`;
  const model = body.model || 'mock';
  const start = { type: 'message_start', message: { id, type: 'message', role: 'assistant', model,
    content: [], stop_reason: null, stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 } } };
  const wantsTool = (body.tools || []).some((t) => t.name === 'Bash');
  const result = toolResultText(body);
  if (wantsTool && result === null) {
    const input = JSON.stringify({ command, description: 'Run the command the test asked for' });
    return sse(res, [start,
      { type: 'content_block_start', index: 0,
        content_block: { type: 'tool_use', id: `toolu_mock${seq}`, name: 'Bash', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: input } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 1 } },
      { type: 'message_stop' }]);
  }
  const text = result === null ? 'ok' : `tool said: ${result}`;
  return sse(res, [start,
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 1 } },
    { type: 'message_stop' }]);
}

// --- OpenAI Responses (Codex) -----------------------------------------------
function responses(body, res) {
  const id = `resp_mock${++seq}`;
  const input = body.input || [];
  const done = input.some((i) => i.type === 'function_call_output' || i.type === 'custom_tool_call_output');
  const tools = (body.tools || []).map((t) => t.name).filter(Boolean);
  const created = { type: 'response.created', response: { id } };
  const completed = { type: 'response.completed', response: { id, usage: { input_tokens: 1,
    input_tokens_details: null, output_tokens: 1, output_tokens_details: null, total_tokens: 2 } } };
  if (!done && tools.includes('exec_command')) {
    const args = { cmd: command, sandbox_permissions: 'require_escalated',
      justification: 'The test asks for this command' };
    return sse(res, [created, { type: 'response.output_item.done', item: { type: 'function_call',
      call_id: `call_mock${seq}`, name: 'exec_command', arguments: JSON.stringify(args) } }, completed]);
  }
  if (!done && tools.includes('shell')) {
    const args = { command: ['bash', '-lc', command], sandbox_permissions: 'require_escalated',
      justification: 'The test asks for this command' };
    return sse(res, [created, { type: 'response.output_item.done', item: { type: 'function_call',
      call_id: `call_mock${seq}`, name: 'shell', arguments: JSON.stringify(args) } }, completed]);
  }
  return sse(res, [created, { type: 'response.output_item.done', item: { type: 'message',
    role: 'assistant', id: `msg_${seq}`, content: [{ type: 'output_text', text: 'done' }] } }, completed]);
}

const server = http.createServer((req, res) => {
  let chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const n = String(seq + 1).padStart(3, '0');
    fs.writeFileSync(path.join(logDir, `${n}-${req.method}${req.url.replace(/[^A-Za-z0-9]/g, '_')}.json`), raw);
    let body = {};
    try { body = raw ? JSON.parse(raw) : {}; } catch (e) { body = {}; }
    if (req.method === 'POST' && /\/messages(\?|$)/.test(req.url)) return anthropic(body, res);
    if (req.method === 'POST' && /\/responses(\?|$)/.test(req.url)) return responses(body, res);
    if (/count_tokens/.test(req.url)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"input_tokens":1}');
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"type":"not_found","message":"mock model: no such endpoint"}}');
  });
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String(server.address().port));
});
// Never outlive the test.
setTimeout(() => process.exit(0), 15 * 60 * 1000).unref();
