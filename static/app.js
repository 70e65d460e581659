"use strict";
// Progressive enhancement only: every page works without this file.
// - selects marked data-autosubmit submit their form on change;
// - tables marked .sortable sort by a click on a column heading;
// - a button with data-copy copies the text of the element it names;
// - the entry form (form[data-check]) shows the server's rate and status as the officer types;
// - buttons with data-confirm ask for a second click (return, reopen).

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.submit();
      }
    });
  });

  document.querySelectorAll("table.sortable").forEach(makeSortable);

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var parts = [];
      target.querySelectorAll("h2, p").forEach(function (node) {
        parts.push(node.textContent.trim());
      });
      var status = document.querySelector(".copy-status");
      navigator.clipboard.writeText(parts.join("\n\n")).then(function () {
        if (status) {
          status.textContent = document.documentElement.lang === "en" ? "Copied." : "已复制。";
        }
      });
    });
  });
});

function cellValue(cell) {
  var sort = cell.getAttribute("data-sort");
  if (sort !== null && sort !== "") {
    var number = Number(sort);
    if (!Number.isNaN(number)) {
      return number;
    }
  }
  return cell.textContent.trim();
}

function makeSortable(table) {
  var head = table.tHead;
  var body = table.tBodies[0];
  if (!head || !body) {
    return;
  }
  var headings = head.rows[0].cells;
  Array.prototype.forEach.call(headings, function (th, column) {
    th.setAttribute("data-sortable", "");
    th.setAttribute("tabindex", "0");
    var sort = function () {
      var descending = th.getAttribute("aria-sort") !== "descending";
      Array.prototype.forEach.call(headings, function (other) {
        other.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var rows = Array.prototype.slice.call(body.rows);
      // The total row stays on top.
      var fixed = rows.filter(function (r) { return r.classList.contains("total-row"); });
      var moving = rows.filter(function (r) { return !r.classList.contains("total-row"); });
      moving.sort(function (a, b) {
        var x = cellValue(a.cells[column]);
        var y = cellValue(b.cells[column]);
        var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return descending ? -order : order;
      });
      fixed.concat(moving).forEach(function (row) {
        body.appendChild(row);
      });
    };
    th.addEventListener("click", function (event) {
      if (!event.target.closest("a")) {
        sort();
      }
    });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        sort();
      }
    });
  });
}

// The entry form asks the server what its figures come to as the officer types: the rate, gap
// and status come back rendered by the same code as the page, never computed here.
function liveCheck(form) {
  var url = form.getAttribute("data-check");
  var timer = null;
  var sequence = 0;
  var run = function () {
    var mine = ++sequence;
    var body = new URLSearchParams(new FormData(form));
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || mine !== sequence) {
          return;
        }
        Object.keys(answer.lines).forEach(function (key) {
          var line = answer.lines[key];
          var computed = document.getElementById("computed-" + key);
          var messages = document.getElementById("messages-" + key);
          if (computed) {
            computed.innerHTML = line.computed;
          }
          if (messages) {
            messages.innerHTML = line.messages;
          }
        });
        form.setAttribute("data-checked", String(mine));
      })
      .catch(function () {});
  };
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
}

// Returning or reopening a report takes a second click: the button first asks to confirm.
function twoStep(button) {
  var form = button.form;
  if (!form) {
    return;
  }
  var label = button.textContent;
  form.addEventListener("submit", function (event) {
    if (button.classList.contains("confirming")) {
      return;
    }
    event.preventDefault();
    button.classList.add("confirming");
    button.textContent = button.getAttribute("data-confirm");
  });
  form.addEventListener("input", function () {
    button.classList.remove("confirming");
    button.textContent = label;
  });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-check]").forEach(liveCheck);
  document.querySelectorAll("button[data-confirm]").forEach(twoStep);
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var label = all.closest("label");
    if (label) {
      label.hidden = false;
    }
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name^='" + all.getAttribute("data-select-all") + "']").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
});
