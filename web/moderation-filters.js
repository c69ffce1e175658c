/*! moderation-filters.js: the console's filters, by rule and by article. They work in the browser,
 * over the comments this console has claimed (the queue itself is SQS: it has no query), so a
 * filter narrows what is on your list; comments it hides stay claimed, and the next batch loads
 * when the comments it shows run low. Each list offers what is claimed now, with counts; a chosen
 * value stays offered (at 0) until it is changed, so a filter never changes by itself.
 *
 * window.ModerationFilters.create(el, onChange) -> {matches(item), refresh(items), focus(),
 * active(), describe()}; el: {rule, article} (select elements).
 */
(function () {
  "use strict";

  var Cards = window.ModerationCards;
  var h = Cards.h;

  function rulesOf(item) {
    var reasons = item.reasons.length ? item.reasons : item.hits;
    var seen = [];
    reasons.forEach(function (r) { if (seen.indexOf(r.rule) < 0) seen.push(r.rule); });
    return seen;
  }

  function create(el, onChange) {
    var chosen = { rule: "", article: "" };

    el.rule.addEventListener("change", function () { chosen.rule = el.rule.value; onChange(); });
    el.article.addEventListener("change", function () { chosen.article = el.article.value; onChange(); });

    function matches(item) {
      if (chosen.rule && rulesOf(item).indexOf(chosen.rule) < 0) return false;
      if (chosen.article && item.comment.articleId !== chosen.article) return false;
      return true;
    }

    // The options: what is claimed now, with counts, most frequent first.
    function options(items, keysOf, labelOf) {
      var counts = {};
      var labels = {};
      items.forEach(function (item) {
        keysOf(item).forEach(function (key) {
          counts[key] = (counts[key] || 0) + 1;
          if (!labels[key] || labels[key] === key) labels[key] = labelOf(key, item); // a title once known
        });
      });
      return Object.keys(counts).sort(function (a, b) {
        return counts[b] - counts[a] || labels[a].localeCompare(labels[b]);
      }).map(function (key) { return { value: key, label: labels[key], count: counts[key] }; });
    }

    function fill(select, all, list, value) {
      if (value && !list.some(function (o) { return o.value === value; })) {
        var old = select.querySelector('option[value="' + CSS.escape(value) + '"]');
        list.push({ value: value, label: old ? old.getAttribute("data-label") : value, count: 0 });
      }
      var wanted = [""].concat(list.map(function (o) { return o.value; })).join("\n");
      var have = Array.prototype.map.call(select.options, function (o) { return o.value; }).join("\n");
      if (wanted !== have) {
        select.textContent = "";
        select.appendChild(h("option", { value: "" }, [all]));
        list.forEach(function (o) { select.appendChild(h("option", { value: o.value, "data-label": o.label })); });
        select.value = value;
      }
      list.forEach(function (o, i) {
        var option = select.options[i + 1];
        option.setAttribute("data-label", o.label);
        option.textContent = o.label + " (" + o.count + ")";
      });
    }

    function refresh(items) {
      fill(el.rule, "All reasons", options(items, rulesOf, function (rule) { return Cards.ruleLabel(rule); }),
        chosen.rule);
      fill(el.article, "All articles", options(items, function (item) { return [item.comment.articleId]; },
        function (id, item) { return item.article.title ? item.article.title + " (" + id + ")" : id; }),
        chosen.article);
    }

    function describe() {
      var parts = [];
      if (chosen.rule) parts.push("reason " + Cards.ruleLabel(chosen.rule));
      if (chosen.article) parts.push("article " + chosen.article);
      return parts.join(", ");
    }

    return {
      matches: matches,
      refresh: refresh,
      focus: function () { el.rule.focus(); },
      active: function () { return !!(chosen.rule || chosen.article); },
      describe: describe,
    };
  }

  window.ModerationFilters = { create: create };
})();
