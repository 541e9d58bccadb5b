// The team calendar: several users' lanes side by side, by month, week or day, laid out here
// from the API's `calendar` (which expands repeating events into their occurrences).
"use strict";

(() => {
  const { gql, el } = Kesher;

  const PEOPLE = `{
    me {
      id name role
      manages(first: 100) { edges { node { id } } }
      calendarsSharedWithMe(first: 100) { edges { node { id } } }
    }
    users(first: 100) { edges { node { id name active } } }
    activityTypes { id name colour }
  }`;
  const LANE = `query Lane($users: [ID!]!, $from: DateTime!, $to: DateTime!, $closed: Boolean!) {
    calendar(userIds: $users, from: $from, to: $to, includeClosed: $closed) {
      user { id name }
      truncated
      occurrences {
        id startsAt endsAt originalStart moved
        activity { id ref kind subject allDay state recurrence type { name colour } }
      }
    }
  }`;
  const ACTIVITY = `query Activity($id: ID!) {
    activity(id: $id) {
      id ref kind subject description startsAt endsAt allDay timeZone recurrence closedAt state
      type { name colour } status { name category colour }
      owner { name } customer { name } contact { name }
      participants(first: 20) { edges { node { name } } }
      chain {
        steps startedAt lastAt
        actions(first: 50) { edges { node { id ref subject kind startsAt state type { colour } } } }
      }
    }
  }`;
  const STATES = { LATE: "Late", PENDING: "Open", DONE: "Done", CANCELLED: "Cancelled" };
  const HOUR_REM = 2.2;

  const state = {
    view: "week",
    anchor: startOfDay(new Date()),
    me: null,
    users: [],
    chosen: new Set(),
    lanes: [],
  };

  // --- dates (in the browser's time zone) -----------------------------------------------------

  function startOfDay(date) {
    const day = new Date(date);
    day.setHours(0, 0, 0, 0);
    return day;
  }

  function addDays(date, days) {
    const moved = new Date(date);
    moved.setDate(moved.getDate() + days);
    return moved;
  }

  function startOfWeek(date) {
    const day = startOfDay(date);
    return addDays(day, -((day.getDay() + 6) % 7)); // weeks start on Monday
  }

  /** The days the view shows: [first, end) and the month it is about, if any. */
  function spanOf(view, anchor) {
    if (view === "day") return { first: anchor, end: addDays(anchor, 1) };
    if (view === "week") {
      const first = startOfWeek(anchor);
      return { first, end: addDays(first, 7) };
    }
    const monthStart = new Date(anchor.getFullYear(), anchor.getMonth(), 1);
    const monthEnd = new Date(anchor.getFullYear(), anchor.getMonth() + 1, 1);
    const first = startOfWeek(monthStart);
    const last = startOfWeek(addDays(monthEnd, -1));
    return { first, end: addDays(last, 7), month: anchor.getMonth() };
  }

  function days(span) {
    const list = [];
    for (let day = span.first; day < span.end; day = addDays(day, 1)) list.push(day);
    return list;
  }

  const fmtTime = (date) => date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  const fmtDay = (date) => date.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
  const fmtWhen = (date) => date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  const sameDay = (a, b) => a.getTime() === b.getTime();

  function periodTitle(span) {
    if (state.view === "month") {
      return state.anchor.toLocaleDateString(undefined, { month: "long", year: "numeric" });
    }
    if (state.view === "day") {
      return state.anchor.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    }
    const last = addDays(span.end, -1);
    return `${fmtDay(span.first)} – ${fmtDay(last)} ${last.getFullYear()}`;
  }

  // --- what each occurrence looks like ---------------------------------------------------------

  function inkOn(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 ? "#1f2933" : "#ffffff";
  }

  function chip(occurrence, showTime) {
    const activity = occurrence.activity;
    const colour = activity.type.colour;
    const stateClass = activity.state.toLowerCase();
    const start = new Date(occurrence.startsAt);
    return el(
      "button",
      {
        type: "button",
        class: `occurrence ${stateClass}`,
        style: `background-color:${colour};color:${inkOn(colour)}`,
        title: `${activity.subject} · ${activity.type.name} · ${STATES[activity.state]}`,
        "data-activity": activity.id,
        "data-state": activity.state,
        "data-type": activity.type.name,
        onclick: () => openActivity(occurrence),
      },
      showTime && !activity.allDay ? el("span", { class: "time" }, fmtTime(start)) : null,
      el("span", { class: "subject", dir: "auto" }, activity.subject),
      activity.state === "CANCELLED" ? el("span", { class: "tag" }, " (cancelled)") : null,
    );
  }

  function overlapping(occurrences, from, to) {
    return occurrences.filter((o) => new Date(o.startsAt) < to && new Date(o.endsAt) > from);
  }

  const isAllDay = (occurrence) =>
    occurrence.activity.allDay || new Date(occurrence.endsAt) - new Date(occurrence.startsAt) >= 86400000;

  /** Places a day's timed occurrences side by side where they overlap. */
  function placeTimed(occurrences, dayStart) {
    const dayEnd = addDays(dayStart, 1);
    const items = occurrences
      .map((o) => ({
        o,
        start: Math.max(new Date(o.startsAt), dayStart),
        end: Math.min(new Date(o.endsAt), dayEnd),
      }))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const placed = [];
    let cluster = [];
    let clusterEnd = -Infinity;
    const close = () => {
      const tracks = Math.max(1, ...cluster.map((item) => item.track + 1));
      for (const item of cluster) placed.push({ ...item, tracks });
      cluster = [];
    };
    for (const item of items) {
      if (item.start >= clusterEnd && cluster.length) close();
      const used = new Set(cluster.filter((other) => other.end > item.start).map((other) => other.track));
      let track = 0;
      while (used.has(track)) track += 1;
      cluster.push({ ...item, track });
      clusterEnd = Math.max(clusterEnd, item.end);
    }
    if (cluster.length) close();
    return placed.map(({ o, start, end, track, tracks }) => {
      const top = ((start - dayStart) / 3600000) * HOUR_REM;
      const height = Math.max(((end - start) / 3600000) * HOUR_REM, 1.1);
      const node = chip(o, true);
      node.style.top = `${top}rem`;
      node.style.height = `${height}rem`;
      node.style.insetInlineStart = `${(track / tracks) * 100}%`;
      node.style.inlineSize = `${100 / tracks}%`;
      return node;
    });
  }

  // --- lanes -----------------------------------------------------------------------------------

  function timeGrid(lane, span) {
    const list = days(span);
    const today = startOfDay(new Date());
    const grid = el("div", { class: "grid", style: `--days:${list.length};--hour:${HOUR_REM}rem` });
    grid.append(el("div", {}), ...list.map((day) => el("div", { class: "day-head" }, fmtDay(day))));
    grid.append(
      el("div", { class: "hour" }, ""),
      ...list.map((day) =>
        el("div", { class: "all-day", "data-day": day.toISOString() },
           overlapping(lane.occurrences, day, addDays(day, 1)).filter(isAllDay).map((o) => chip(o, false))),
      ),
    );
    const hours = el("div", { class: "hours" });
    for (let hour = 0; hour < 24; hour += 1) hours.append(el("div", { class: "hour" }, `${String(hour).padStart(2, "0")}:00`));
    grid.append(
      hours,
      ...list.map((day) =>
        el(
          "div",
          { class: `day${sameDay(day, today) ? " today" : ""}`, "data-day": day.toISOString() },
          placeTimed(overlapping(lane.occurrences, day, addDays(day, 1)).filter((o) => !isAllDay(o)), day),
        ),
      ),
    );
    return grid;
  }

  function monthGrid(lane, span) {
    const today = startOfDay(new Date());
    const grid = el("div", { class: "month" });
    for (const day of days(span).slice(0, 7)) {
      grid.append(el("div", { class: "weekday" }, day.toLocaleDateString(undefined, { weekday: "short" })));
    }
    for (const day of days(span)) {
      const found = overlapping(lane.occurrences, day, addDays(day, 1));
      const shown = found.slice(0, 4).map((o) => chip(o, true));
      const classes = ["date", day.getMonth() !== span.month ? "other" : "", sameDay(day, today) ? "today" : ""];
      grid.append(
        el(
          "div",
          { class: classes.join(" ").trim(), "data-day": day.toISOString() },
          el("span", { class: "number" }, day.getDate()),
          shown,
          found.length > shown.length
            ? el("a", { href: "#", class: "more", onclick: (event) => { event.preventDefault(); go("day", day); } },
                 `+${found.length - shown.length} more`)
            : null,
        ),
      );
    }
    return grid;
  }

  function laneView(lane, span) {
    const user = state.users.find((u) => u.id === lane.userId) || { name: lane.userId };
    const section = el("section", { class: "lane", "data-user": lane.userId });
    if (lane.refusal) {
      section.classList.add("refused");
      section.append(
        el("h2", {}, el("span", { dir: "auto" }, user.name), el("span", { class: "count" }, "refused")),
        el("p", { class: "refusal", role: "status" }, `Refused: ${lane.refusal}`),
      );
      return section;
    }
    const count = lane.occurrences.length;
    section.append(
      ...[
      el("h2", {}, el("span", { dir: "auto" }, user.name),
         el("span", { class: "count" }, `${count} ${count === 1 ? "activity" : "activities"}`)),
      lane.truncated ? el("p", { class: "truncated" }, "Only the first 1,000 are shown.") : null,
      state.view === "month" ? monthGrid(lane, span) : timeGrid(lane, span),
      ].filter(Boolean),
    );
    return section;
  }

  // --- loading -----------------------------------------------------------------------------

  let loading = 0;

  async function load() {
    const mine = ++loading;
    document.body.dataset.calendarState = "loading";
    const span = spanOf(state.view, state.anchor);
    document.getElementById("period").textContent = periodTitle(span);
    for (const button of document.querySelectorAll(".views button")) {
      button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
    }
    const chosen = [state.me.id, ...state.users.map((u) => u.id).filter((id) => id !== state.me.id)]
      .filter((id) => state.chosen.has(id));
    const closed = document.getElementById("include-closed").checked;
    // A lane each, so that a calendar the user may not see is refused on its own.
    const lanes = await Promise.all(
      chosen.map(async (userId) => {
        try {
          const data = await gql(LANE, {
            users: [userId], from: span.first.toISOString(), to: span.end.toISOString(), closed,
          });
          const lane = data.calendar[0];
          return { userId, occurrences: lane.occurrences, truncated: lane.truncated };
        } catch (failure) {
          return { userId, refusal: failure.message, code: failure.code };
        }
      }),
    );
    if (mine !== loading) return;
    state.lanes = lanes;
    const board = document.getElementById("lanes");
    const scroll = board.scrollTop;
    board.replaceChildren(
      ...(lanes.length ? lanes.map((lane) => laneView(lane, span)) : [el("p", { class: "muted" }, "Tick a calendar to show it.")]),
    );
    if (state.view !== "month") {
      // Working hours in view first; a person scrolls for the rest of the day.
      board.scrollTop = scroll || 7 * HOUR_REM * parseFloat(getComputedStyle(document.documentElement).fontSize);
    }
    document.body.dataset.calendarState = "drawn";
  }

  function go(view, anchor) {
    state.view = view;
    state.anchor = startOfDay(anchor);
    load();
  }

  function step(direction) {
    const anchor = state.anchor;
    if (state.view === "day") go("day", addDays(anchor, direction));
    else if (state.view === "week") go("week", addDays(anchor, 7 * direction));
    else go("month", new Date(anchor.getFullYear(), anchor.getMonth() + direction, 1));
  }

  // --- the activity ------------------------------------------------------------------------

  async function openActivity(occurrence) {
    const dialog = document.getElementById("activity");
    const body = document.getElementById("activity-body");
    body.replaceChildren(el("h2", { dir: "auto" }, occurrence.activity.subject), el("p", { class: "muted" }, "Loading…"));
    if (!dialog.open) dialog.showModal();
    try {
      const { activity } = await gql(ACTIVITY, { id: occurrence.activity.id });
      if (!activity) {
        body.replaceChildren(el("p", { class: "error" }, "You may not see this activity, or it is gone."));
        return;
      }
      const start = new Date(occurrence.startsAt);
      const end = new Date(occurrence.endsAt);
      const participants = activity.participants.edges.map((edge) => edge.node.name);
      const facts = [
        ["Reference", activity.ref ? el("span", { class: "ref" }, activity.ref) : "—"],
        ["Type", el("span", {}, el("span", { class: "dot", style: `background:${activity.type.colour}` }), activity.type.name)],
        ["Status", `${activity.status.name} · ${STATES[activity.state]}`],
        ["When", activity.allDay ? `${start.toLocaleDateString()} (all day)` : `${fmtWhen(start)} – ${fmtTime(end)}`],
        activity.recurrence ? ["Repeats", activity.recurrence] : null,
        activity.closedAt ? ["Closed", fmtWhen(new Date(activity.closedAt))] : null,
        ["Owner", activity.owner.name],
        participants.length ? ["With", participants.join(", ")] : null,
        ["Customer", el("span", { dir: "auto" }, activity.customer.name)],
        activity.contact ? ["Contact", el("span", { dir: "auto" }, activity.contact.name)] : null,
      ].filter(Boolean);
      const chain = activity.chain;
      const parts = [
        el("h2", { dir: "auto" }, activity.subject),
        el("dl", {}, facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
        activity.description ? el("p", { dir: "auto", class: "description" }, activity.description) : null,
        el("h3", {}, chain ? `Chain: ${chain.steps} steps` : "Chain"),
        chain
          ? el(
              "ol",
              { class: "chain" },
              // Earliest first: a chain reads in the order its steps happened.
              [...chain.actions.edges]
                .sort((a, b) => new Date(a.node.startsAt) - new Date(b.node.startsAt))
                .map(({ node }) =>
                el(
                  "li",
                  { class: node.id === activity.id ? "this" : "" },
                  el("span", { class: "dot", style: `background:${node.type.colour}` }),
                  node.ref ? `${node.ref} ` : "",
                  el("span", { dir: "auto" }, node.subject),
                  el("span", { class: "muted" }, ` · ${fmtWhen(new Date(node.startsAt))} · ${STATES[node.state]}`),
                ),
              ),
            )
          : el("p", { class: "muted" }, "Not linked to other activities."),
      ];
      body.replaceChildren(...parts.filter(Boolean));
      body.dataset.activity = activity.id;
    } catch (failure) {
      body.replaceChildren(el("p", { class: "error" }, failure.message));
    }
  }

  // --- people ------------------------------------------------------------------------------

  function peopleList() {
    const list = document.getElementById("users");
    const ordered = [state.users.find((u) => u.id === state.me.id), ...state.users.filter((u) => u.id !== state.me.id)].filter(Boolean);
    list.replaceChildren(
      ...ordered.map((user) =>
        el(
          "li",
          {},
          el(
            "label",
            {},
            el("input", {
              type: "checkbox",
              value: user.id,
              checked: state.chosen.has(user.id),
              onchange: (event) => {
                if (event.target.checked) state.chosen.add(user.id);
                else state.chosen.delete(user.id);
                load();
              },
            }),
            " ",
            el("span", { dir: "auto" }, user.id === state.me.id ? `${user.name} (you)` : user.name),
          ),
        ),
      ),
    );
  }

  async function start() {
    const data = await gql(PEOPLE);
    state.me = data.me;
    state.users = data.users.edges.map((edge) => edge.node).filter((user) => user.active);
    if (!state.users.some((user) => user.id === state.me.id)) state.users.unshift({ id: state.me.id, name: state.me.name });
    state.chosen = new Set([
      state.me.id,
      ...state.me.manages.edges.map((edge) => edge.node.id),
      ...state.me.calendarsSharedWithMe.edges.map((edge) => edge.node.id),
    ]);
    document.getElementById("type-key").replaceChildren(
      ...data.activityTypes.map((type) =>
        el("li", {}, el("span", { class: "swatch", style: `background:${type.colour}` }), el("span", { dir: "auto" }, type.name)),
      ),
    );
    peopleList();
    load();
  }

  // --- wiring ------------------------------------------------------------------------------

  for (const button of document.querySelectorAll(".views button")) {
    button.addEventListener("click", () => go(button.dataset.view, state.anchor));
  }
  document.getElementById("previous").addEventListener("click", () => step(-1));
  document.getElementById("next").addEventListener("click", () => step(1));
  document.getElementById("today").addEventListener("click", () => go(state.view, new Date()));
  document.getElementById("include-closed").addEventListener("change", load);
  document.getElementById("activity-close").addEventListener("click", () => document.getElementById("activity").close());

  window.kesherCalendar = { state, go, load };

  Kesher.signIn(() => {
    const wanted = new URLSearchParams(window.location.search);
    if (["month", "week", "day"].includes(wanted.get("view"))) state.view = wanted.get("view");
    if (wanted.get("date") && !Number.isNaN(Date.parse(wanted.get("date")))) {
      state.anchor = startOfDay(new Date(`${wanted.get("date")}T00:00:00`));
    }
    start().catch((failure) => {
      document.getElementById("lanes").replaceChildren(el("p", { class: "error" }, failure.message));
    });
  });
})();
