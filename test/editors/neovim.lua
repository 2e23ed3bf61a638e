-- Run by test/lsp-neovim.test.ts: Neovim's own LSP client against `vmsplice-lint --lsp`, reading the diagnostics
-- (and a hover) back into a JSON file. start_client/buf_attach_client, since vim.lsp.start needs Neovim 0.8.
local root = os.getenv('VMSPLICE_ROOT')
local out = os.getenv('VMSPLICE_OUT')
local result = { diagnostics = {} }

vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/src/producer.c'))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = 'vmsplice-lint',
  cmd = { os.getenv('VMSPLICE_NODE'), os.getenv('VMSPLICE_CLI'), '--lsp' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'fixture' } },
})
vim.lsp.buf_attach_client(buf, id)
result.diagnosed = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)

for _, d in ipairs(vim.diagnostic.get(buf)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(result.diagnostics, {
    lnum = d.lnum, col = d.col, severity = d.severity, source = d.source, message = d.message, code = lsp.code,
  })
end

if result.diagnosed then
  local d = result.diagnostics[1]
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = d.lnum, character = d.col } }
  local replies = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000) or {}
  for _, reply in pairs(replies) do
    if reply.result then result.hover = reply.result.contents.value end
  end
end

vim.lsp.stop_client(id)
result.stopped = vim.wait(10000, function() return vim.lsp.client_is_stopped(id) end, 50)
local f = io.open(out, 'w')
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd('qall!')
