// threatbench report: tables that filter and sort, and links (diagram nodes, heat-map cells)
// that filter the threat register. Plain JavaScript, no network, no storage.
(function () {
  'use strict';
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var tables = {};

  function cellKey(row, col) {
    var cell = row.cells[col];
    var key = cell.getAttribute('data-key');
    return key !== null ? key : cell.textContent.trim();
  }

  function sortBy(table, rows, col, th) {
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    each(th.parentNode.cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var numeric = th.getAttribute('data-sort') === 'number';
    rows.sort(function (a, b) {
      var x = cellKey(a, col), y = cellKey(b, col);
      var r = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, undefined, { numeric: true });
      return r * dir;
    });
    var body = table.tBodies[0];
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function setup(panel) {
    var table = document.getElementById(panel.getAttribute('data-table'));
    if (!table) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var search = panel.querySelector('input[type=search]');
    var fields = Array.prototype.slice.call(panel.querySelectorAll('select, input[type=hidden]'));
    var count = panel.querySelector('.count');
    var chip = panel.querySelector('.chip');
    var texts = new Map();
    function text(row) {
      var t = texts.get(row);
      if (t === undefined) { t = row.textContent.toLowerCase(); texts.set(row, t); }
      return t;
    }
    function apply() {
      var q = search.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var ok = !q || text(row).indexOf(q) !== -1;
        for (var i = 0; ok && i < fields.length; i++) {
          var f = fields[i];
          if (f.value && row.getAttribute('data-' + f.name) !== f.value) { ok = false; }
        }
        row.hidden = !ok;
        if (ok) { shown++; }
      });
      count.textContent = shown + ' of ' + rows.length + ' shown';
      if (chip) {
        var element = panel.querySelector('input[name=element]').value;
        chip.hidden = !element;
        chip.querySelector('code').textContent = element;
      }
    }
    panel.addEventListener('input', apply);
    panel.addEventListener('change', apply);
    if (chip) {
      chip.querySelector('button').addEventListener('click', function () {
        panel.querySelector('input[name=element]').value = '';
        apply();
      });
    }
    each(table.tHead.rows[0].cells, function (th, col) {
      if (!th.hasAttribute('data-sort')) { return; }
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, rows, col, th); });
      th.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); sortBy(table, rows, col, th); }
      });
    });
    tables[table.id] = { panel: panel, apply: apply };
    apply();
  }

  each(document.querySelectorAll('.filters[data-table]'), setup);

  document.addEventListener('click', function (ev) {
    var link = ev.target.closest ? ev.target.closest('a[data-element], a[data-surface]') : null;
    var register = tables['register-table'];
    if (!link || !register) { return; }
    var panel = register.panel;
    ['element', 'surface', 'stride', 'status'].forEach(function (name) {
      var field = panel.querySelector('[name=' + name + ']');
      if (field) { field.value = link.getAttribute('data-' + name) || ''; }
    });
    panel.querySelector('input[type=search]').value = '';
    register.apply();
  });

  // A link to a threat of the catalogue opens it.
  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.tagName === 'DETAILS') { target.open = true; }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();

  window.addEventListener('beforeprint', function () {
    each(document.querySelectorAll('details'), function (d) { d.open = true; });
  });
})();
