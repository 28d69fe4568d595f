// The plan explorer: shows the plan picked, from the data the run embedded in the page.
// Every amount arrives already written (in words and exact); nothing here computes a figure.
(function () {
  "use strict";
  var source = document.getElementById("explorer-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var plans = {};
  data.plans.forEach(function (p) { plans[p.id] = p; });
  var tip = document.getElementById("tip");
  var current = null;

  function make(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  // A tooltip with the exact amount, for the pointer and for the keyboard's focus.
  function showTip(event) {
    var target = event.currentTarget;
    tip.textContent = target.getAttribute("data-exact");
    tip.hidden = false;
    var box = target.getBoundingClientRect();
    tip.style.left = Math.max(4, window.scrollX + box.left) + "px";
    tip.style.top = (window.scrollY + box.top - tip.offsetHeight - 6) + "px";
  }
  function hideTip() { tip.hidden = true; }
  function withTip(node, exact) {
    node.setAttribute("data-exact", exact);
    node.addEventListener("mouseenter", showTip);
    node.addEventListener("mouseleave", hideTip);
    node.addEventListener("focus", showTip);
    node.addEventListener("blur", hideTip);
    return node;
  }

  // Horizontal bars: label, bar (focusable, its exact amount on hover or focus), amount in words.
  function bars(container, items) {
    clear(container);
    var largest = 0;
    items.forEach(function (item) { largest = Math.max(largest, Math.abs(item.k)); });
    if (!items.length) { container.appendChild(make("p", "None.", "small")); return; }
    var list = make("ul", null, "bar-list");
    items.forEach(function (item) {
      var row = make("li", null, "bar-row");
      row.appendChild(make("span", item.label, "bar-label"));
      var track = make("span", null, "bar-track");
      var bar = make("span", null, "bar" + (item.k < 0 ? " negative" : ""));
      bar.style.width = (largest > 0 ? Math.abs(item.k) / largest * 100 : 0).toFixed(1) + "%";
      bar.tabIndex = 0;
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", item.label + ": " + item.text + (item.exact ? " (" + item.exact + ")" : ""));
      if (item.exact) { withTip(bar, item.exact); }
      track.appendChild(bar);
      row.appendChild(track);
      row.appendChild(make("span", item.text, "bar-value"));
      list.appendChild(row);
    });
    container.appendChild(list);
  }

  function optionList(title, items, describe) {
    var block = make("div", null, "change");
    block.appendChild(make("h5", title + " (" + items.length + ")"));
    if (!items.length) { block.appendChild(make("p", "None.", "small")); return block; }
    var list = make("ul");
    items.forEach(function (o) { list.appendChild(make("li", o.option + " " + o.name + ": " + describe(o))); });
    block.appendChild(list);
    return block;
  }

  function showChanges(plan) {
    var box = document.getElementById("changes");
    var title = document.getElementById("changes-title");
    clear(box);
    if (!plan.changes) {
      title.textContent = "What changes against " + data.reference;
      box.appendChild(make("p", "This is " + data.reference + ": pick another plan to compare it.", "small"));
      return;
    }
    var c = plan.changes;
    title.textContent = "What changes against " + data.reference;
    box.appendChild(make("p", "Against " + data.reference + ", this plan " + c.harm_said + "."));
    bars(box.appendChild(make("div", null, "bars")), c.savings.map(function (s) {
      return { label: s.year, text: s.text, exact: s.exact, k: s.k };
    }));
    var lists = make("div", null, "change-lists");
    lists.appendChild(optionList("Options added", c.added, function (o) { return "from " + o.start; }));
    lists.appendChild(optionList("Options dropped", c.dropped, function (o) { return "was from " + o.start; }));
    lists.appendChild(optionList("Options starting in another year", c.moved, function (o) {
      return o.from + " to " + o.to;
    }));
    box.appendChild(lists);
  }

  function showOptions(plan) {
    var table = document.getElementById("options-table");
    var directorate = document.getElementById("filter-directorate").value;
    var rags = {};
    document.querySelectorAll("input[name=rag]").forEach(function (box) { rags[box.value] = box.checked; });
    var exact = document.getElementById("exact-amounts").checked;
    Array.prototype.slice.call(table.childNodes).forEach(function (node) {
      if (node.nodeName !== "CAPTION") { table.removeChild(node); }
    });
    var head = table.createTHead().insertRow();
    ["Option", "Name", "Directorate", "RAG", "Harm"].concat(data.years).forEach(function (text, i) {
      var cell = make("th", text, i >= 4 ? "num" : null);
      cell.scope = "col";
      head.appendChild(cell);
    });
    var shown = plan.options.filter(function (o) {
      return (!directorate || o.directorate === directorate) && rags[o.rag] !== false;
    });
    data.years.forEach(function (year) {
      var group = shown.filter(function (o) { return o.start === year; });
      if (!group.length) { return; }
      var body = table.createTBody();
      body.className = "group";
      var label = make("th", "Starting " + year + ": " + group.length + " option" + (group.length === 1 ? "" : "s"));
      label.colSpan = 5 + data.years.length;
      label.scope = "colgroup";
      body.insertRow().appendChild(label);
      group.forEach(function (o) {
        var row = body.insertRow();
        var id = make("th", o.option);
        id.scope = "row";
        row.appendChild(id);
        [o.name, o.directorate, o.rag].forEach(function (text) { row.appendChild(make("td", text)); });
        row.appendChild(make("td", o.harm, "num"));
        o.savings.forEach(function (s) {
          row.appendChild(withTip(make("td", exact ? s.exact : s.text, "num"), s.exact));
        });
      });
    });
    document.getElementById("options-count").textContent =
      shown.length + " of the plan's " + plan.options.length + " options shown" +
      (directorate ? " (" + directorate + ")" : "") + ".";
  }

  function show(id) {
    var plan = plans[id];
    if (!plan) { return; }
    current = plan;
    document.querySelectorAll("input[name=plan]").forEach(function (radio) { radio.checked = radio.value === id; });
    document.querySelectorAll(".pick").forEach(function (mark) {
      mark.classList.toggle("selected", mark.getAttribute("data-plan") === id);
    });
    document.getElementById("plan-title").textContent = plan.label;
    document.getElementById("plan-summary").textContent =
      plan.label + ": " + plan.options.length + " options; " + (data.summed ? data.summed + ", " : "") +
      "savings of " + plan.savings_k.text + ", reserves drawn " + plan.reserves.text +
      " and savings still to be found " + plan.unidentified.text + "; " + plan.harm_said + ".";
    bars(document.getElementById("savings-bars"), plan.savings_by_year.map(function (s) {
      return { label: s.year, text: s.text, exact: s.exact, k: s.k };
    }));
    bars(document.getElementById("harm-bars"), plan.harm_by_priority.map(function (h) {
      return { label: h.id + " " + h.name, text: h.text, exact: "", k: h.value };
    }));
    bars(document.getElementById("activity-bars"), plan.activities.map(function (a) {
      return {
        label: a.activity + " " + a.name + " (" + a.year + ", " + a.limit + ")",
        text: a.headroom.text, exact: a.headroom.exact, k: a.headroom.k
      };
    }));
    showChanges(plan);
    showOptions(plan);
  }

  document.querySelectorAll("input[name=plan]").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) { show(radio.value); } });
  });
  document.querySelectorAll(".pick").forEach(function (mark) {
    mark.addEventListener("click", function () { show(mark.getAttribute("data-plan")); });
  });
  ["filter-directorate", "exact-amounts"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function () { showOptions(current); });
  });
  document.querySelectorAll("input[name=rag]").forEach(function (box) {
    box.addEventListener("change", function () { showOptions(current); });
  });
  show(data["default"]);
})();
