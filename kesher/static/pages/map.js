// The relation map: search a party, draw the links around it with Cytoscape.js, and explore.
"use strict";

(() => {
  const { gql, el, download } = Kesher;
  cytoscape.use(cytoscapeFcose);

  const PARTY = "{ id kind name archived }";
  const MAP = `query Map($roots: [ID!]!, $depth: Int, $limit: Int, $types: [String!], $kinds: [PartyKind!],
                         $asOf: Date, $structural: Boolean!) {
    relationMap(rootIds: $roots, depth: $depth, limit: $limit, typeKeys: $types, kinds: $kinds, asOf: $asOf,
                includeStructural: $structural) {
      nodes { depth party ${PARTY} }
      edges { id source target typeKey label reciprocalLabel colour structural startsOn endsOn current }
      truncated
    }
  }`;
  const PATH = `query Path($from: ID!, $to: ID!, $types: [String!], $kinds: [PartyKind!], $asOf: Date,
                           $structural: Boolean!) {
    relationshipPath(fromId: $from, toId: $to, maxDepth: 6, typeKeys: $types, kinds: $kinds,
                     asOf: $asOf, includeStructural: $structural) {
      nodes { depth party ${PARTY} }
      edges { id source target typeKey label reciprocalLabel colour structural startsOn endsOn current }
    }
  }`;
  const CATALOG = `{ relationshipTypes { key label reciprocalLabel symmetric colour sortOrder } }`;
  const SEARCH = `query Search($text: String!, $archived: Boolean!) {
    customers(search: $text, first: 6, filter: { includeArchived: $archived }) {
      edges { node { id name archivedAt } }
    }
    contacts(search: $text, first: 6, filter: { includeArchived: $archived }) {
      edges { node { id name archivedAt customer { name } } }
    }
    projects(search: $text, first: 6, filter: { includeArchived: $archived }) {
      edges { node { id name archivedAt customer { name } } }
    }
  }`;
  const RELATIONSHIPS = `relationships(first: 25) {
      totalCount
      edges { node { label outgoing other ${PARTY}
                     relationship { id typeKey colour current former startsOn endsOn } } }
    }`;
  const STREAM = `stream(first: 5) { edges { node { kind at summary activity { ref } } } }`;
  const CARDS = {
    CUSTOMER: `query Card($id: ID!) { card: customer(id: $id) {
      id name status city email phone archivedAt owner { name }
      linkedCounts { contacts projects offers productRecords events tasks }
      ${RELATIONSHIPS}
      activities(first: 5) { edges { node { ref subject startsAt state type { name colour } } } }
    } }`,
    CONTACT: `query Card($id: ID!) { card: contact(id: $id) {
      id name title email phone archivedAt customer { id name }
      ${RELATIONSHIPS}
      ${STREAM}
    } }`,
    PROJECT: `query Card($id: ID!) { card: project(id: $id) {
      id name status description archivedAt customer { id name }
      ${RELATIONSHIPS}
      ${STREAM}
    } }`,
  };
  const KIND_NAMES = { CUSTOMER: "Customer", CONTACT: "Contact", PROJECT: "Project", EXTERNAL: "Other party" };
  const COUNT_NAMES = {
    contacts: "Contacts", projects: "Projects", offers: "Offers",
    productRecords: "Product records", events: "Events", tasks: "Tasks",
  };

  // Kinds are told apart by shape and by an icon drawn inside the shape.
  const icon = (paths) =>
    "data:image/svg+xml;utf8," +
    encodeURIComponent(
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" ` +
        `fill="none" stroke="#243b53" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`,
    );
  const ICONS = {
    CUSTOMER: icon('<rect x="5" y="3" width="14" height="18"/><path d="M9 7h2M13 7h2M9 11h2M13 11h2M10 21v-4h4v4"/>'),
    CONTACT: icon('<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>'),
    PROJECT: icon('<path d="M3 7h6l2 2h10v10H3z"/>'),
    EXTERNAL: icon('<path d="M9 9a3 3 0 1 1 4 3c-1 .5-1 1-1 2M12 18h.01"/>'),
  };
  const SHAPES = { CUSTOMER: "round-rectangle", CONTACT: "ellipse", PROJECT: "diamond", EXTERNAL: "ellipse" };
  const FILLS = { CUSTOMER: "#dbeafe", CONTACT: "#dcfce7", PROJECT: "#fef3c7", EXTERNAL: "#f3f4f6" };

  const state = {
    roots: [],
    expanded: new Set(),
    catalog: [],
    hiddenTypes: new Set(),
    truncated: false,
    selected: null,
  };

  const cy = cytoscape({
    container: document.getElementById("cy"),
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 3,
    style: [
      {
        selector: "node",
        style: {
          "background-width": "60%",
          "background-height": "60%",
          "border-width": 2,
          "border-color": "#486581",
          width: 34,
          height: 34,
          label: "data(name)",
          "font-size": 11,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-wrap": "ellipsis",
          "text-max-width": "140px",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.8,
          "text-background-padding": "1px",
          "min-zoomed-font-size": 6,
        },
      },
      // Plain selectors rather than functions: a style is then computed once per kind.
      ...Object.keys(SHAPES).map((kind) => ({
        selector: `node[kind = '${kind}']`,
        style: { shape: SHAPES[kind], "background-color": FILLS[kind], "background-image": ICONS[kind] },
      })),
      { selector: "node[kind = 'EXTERNAL']", style: { "border-style": "dashed" } },
      { selector: "node.root", style: { width: 46, height: 46, "border-width": 4, "border-color": "#102a43", "font-weight": "bold" } },
      { selector: "node.archived", style: { opacity: 0.45, "border-style": "dashed" } },
      { selector: "node:selected", style: { "border-color": "#f59e0b", "border-width": 5 } },
      {
        selector: "edge",
        style: {
          width: 2.5,
          "line-color": "data(colour)",
          "target-arrow-color": "data(colour)",
          "target-arrow-shape": "triangle",
          "arrow-scale": 0.8,
          "curve-style": "bezier",
          "source-label": "data(label)",
          "target-label": "data(reciprocalLabel)",
          "source-text-offset": 34,
          "target-text-offset": 34,
          "font-size": 9,
          color: "#334e68",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.75,
          "min-zoomed-font-size": 7,
        },
      },
      {
        selector: "edge[?symmetric]",
        style: { "target-arrow-shape": "none", label: "data(middle)", "font-size": 9 },
      },
      { selector: "edge[?structural]", style: { width: 1.5, "line-style": "dotted" } },
      { selector: "edge.former", style: { "line-style": "dashed", opacity: 0.5 } },
      { selector: ".off-path", style: { opacity: 0.12 } },
      { selector: "node.on-path", style: { "border-color": "#e11d48", "border-width": 5 } },
      { selector: "edge.on-path", style: { width: 6, opacity: 1, "z-index": 10 } },
    ],
  });

  // --- the catalog: the legend (in catalog order) doubles as the type filter --------------

  async function loadCatalog() {
    const data = await gql(CATALOG);
    state.catalog = data.relationshipTypes;
    const list = document.getElementById("legend-types");
    list.replaceChildren(
      ...state.catalog.map((type) =>
        el(
          "li",
          { "data-key": type.key },
          el("input", {
            type: "checkbox",
            checked: !state.hiddenTypes.has(type.key),
            "aria-label": `Show ${type.label}`,
            onchange: (event) => {
              if (event.target.checked) state.hiddenTypes.delete(type.key);
              else state.hiddenTypes.add(type.key);
              refresh();
            },
          }),
          el("span", { class: "swatch", style: `background:${type.colour}` }),
          el("span", { dir: "auto", class: "type-label" },
             type.symmetric ? type.label : `${type.label} / ${type.reciprocalLabel}`),
        ),
      ),
    );
  }

  // --- filters -----------------------------------------------------------------------------

  const asOfBox = document.getElementById("as-of-on");
  const asOfSlider = document.getElementById("as-of");
  const asOfDate = document.getElementById("as-of-date");

  function dayOffset(days) {
    const day = new Date();
    day.setUTCHours(0, 0, 0, 0);
    day.setUTCDate(day.getUTCDate() + Number(days));
    return day.toISOString().slice(0, 10);
  }

  function showAsOf() {
    asOfSlider.disabled = !asOfBox.checked;
    asOfDate.textContent = asOfBox.checked ? dayOffset(asOfSlider.value) : "any time";
  }

  function filters() {
    const kinds = [...document.querySelectorAll("input[name=kind]")];
    const chosen = kinds.filter((box) => box.checked).map((box) => box.value);
    const types = state.catalog.map((type) => type.key).filter((key) => !state.hiddenTypes.has(key));
    return {
      depth: Number(document.getElementById("depth").value),
      limit: Number(document.getElementById("limit").value),
      kinds: chosen.length === kinds.length ? null : chosen,
      types: state.hiddenTypes.size ? types : null,
      asOf: asOfBox.checked ? dayOffset(asOfSlider.value) : null,
      structural: document.getElementById("structural").checked,
    };
  }

  // --- drawing -----------------------------------------------------------------------------

  function nodeElement(node) {
    const party = node.party;
    return {
      group: "nodes",
      data: { id: party.id, name: party.name, kind: party.kind, archived: party.archived, depth: node.depth },
      classes: [party.archived ? "archived" : "", state.roots.includes(party.id) ? "root" : ""].join(" "),
    };
  }

  function edgeElement(edge) {
    const type = state.catalog.find((entry) => entry.key === edge.typeKey);
    const symmetric = Boolean(type && type.symmetric);
    return {
      group: "edges",
      data: {
        ...edge,
        symmetric,
        // A symmetric link reads the same from both ends: one label, in the middle.
        label: symmetric ? "" : edge.label,
        reciprocalLabel: symmetric ? "" : edge.reciprocalLabel,
        middle: symmetric ? edge.label : "",
      },
      classes: edge.current ? "" : "former",
    };
  }

  /** Merges nodes and edges into the drawing; answers the elements that were new. */
  function merge(found) {
    const fresh = [];
    for (const node of found.nodes) {
      if (cy.getElementById(node.party.id).empty()) fresh.push(nodeElement(node));
    }
    for (const edge of found.edges) {
      if (cy.getElementById(edge.id).empty()) fresh.push(edgeElement(edge));
    }
    return cy.add(fresh);
  }

  // Past this many parties the map is laid out in rings by distance from the roots, which
  // takes a few milliseconds where a force-directed layout would take seconds.
  const RINGS_FROM = 300;

  function layout(around) {
    const size = cy.nodes().length;
    if (size > RINGS_FROM) {
      cy.layout({
        name: "concentric",
        concentric: (node) => -(node.data("depth") ?? 9),
        levelWidth: () => 1,
        minNodeSpacing: 12,
        animate: false,
        fit: true,
        padding: 30,
      }).run();
      return;
    }
    const options = {
      name: "fcose",
      quality: "default",
      randomize: true,
      animate: false,
      nodeSeparation: 90,
      idealEdgeLength: 150,
      nodeRepulsion: 9000,
      fit: true,
      padding: 40,
    };
    if (around) {
      // After an expansion the map keeps its place; only the new parties are placed.
      options.randomize = false;
      options.fixedNodeConstraint = cy
        .nodes()
        .difference(around)
        .map((node) => ({ nodeId: node.id(), position: { ...node.position() } }));
    }
    const running = cy.layout(options);
    // A small map fitted to the screen would be drawn huge: it keeps a reading size.
    if (!around) running.one("layoutstop", () => {
      if (cy.zoom() > 1.2) {
        cy.zoom(1.2);
        cy.center();
      }
    });
    running.run();
  }

  function showNotice() {
    const notice = document.getElementById("notice");
    notice.hidden = !state.truncated;
    notice.textContent = state.truncated
      ? `The map was cut at ${cy.nodes().length} parties: narrow it by depth, link type or kind.`
      : "";
  }

  function syncLists() {
    const parties = cy.nodes().map((node) => ({ id: node.id(), name: node.data("name"), kind: node.data("kind") }));
    parties.sort((a, b) => a.name.localeCompare(b.name));
    for (const id of ["path-from", "path-to"]) {
      const select = document.getElementById(id);
      const kept = select.value;
      select.replaceChildren(
        el("option", { value: "" }, "—"),
        ...parties.map((party) =>
          el("option", { value: party.id, dir: "auto" }, `${party.name} (${KIND_NAMES[party.kind]})`),
        ),
      );
      select.value = parties.some((party) => party.id === kept) ? kept : "";
    }
    const drawn = cy.nodes().length > 0;
    for (const id of ["path-tools", "export"]) document.getElementById(id).disabled = !drawn;
    document.getElementById("map-message").hidden = drawn;
  }

  /** Draws maps (answers of `relationMap`) afresh: their parties and links, laid out. */
  function draw(parts) {
    state.truncated = parts.some((part) => part.truncated);
    cy.batch(() => {
      cy.elements().remove();
      for (const part of parts) merge(part);
    });
    layout();
    showNotice();
    syncLists();
  }

  let loading = 0;

  /** Draws the map again around the roots (and the parties expanded), with the filters. */
  async function refresh() {
    if (!state.roots.length) return;
    const mine = ++loading;
    document.body.dataset.mapState = "loading";
    const chosen = filters();
    const variables = {
      depth: chosen.depth, limit: chosen.limit, types: chosen.types, kinds: chosen.kinds, asOf: chosen.asOf,
      structural: chosen.structural,
    };
    const message = document.getElementById("map-message");
    try {
      const data = await gql(MAP, { ...variables, roots: state.roots });
      const parts = [data.relationMap];
      const expanded = [...state.expanded].filter((id) => data.relationMap.nodes.some((n) => n.party.id === id));
      if (expanded.length) {
        const more = await gql(MAP, { ...variables, roots: expanded, depth: 1 });
        parts.push(more.relationMap);
      }
      if (mine !== loading) return;
      draw(parts);
      document.body.dataset.mapState = "drawn";
    } catch (failure) {
      if (mine !== loading) return;
      message.hidden = false;
      message.textContent = failure.message;
      document.body.dataset.mapState = "failed";
    }
  }

  async function expand(node) {
    const chosen = filters();
    try {
      const data = await gql(MAP, {
        roots: [node.id()], depth: 1, limit: chosen.limit, types: chosen.types, kinds: chosen.kinds, asOf: chosen.asOf,
        structural: chosen.structural,
      });
      state.expanded.add(node.id());
      const added = merge(data.relationMap);
      if (data.relationMap.truncated) state.truncated = true;
      layout(added.nodes());
      showNotice();
      syncLists();
      document.body.dataset.expanded = [...state.expanded].join(" ");
    } catch (failure) {
      document.getElementById("path-message").textContent = failure.message;
    }
  }

  function centreOn(id) {
    state.roots = [id];
    state.expanded.clear();
    clearPath();
    closePanel();
    refresh();
  }

  // --- the search ----------------------------------------------------------------------------

  let searchTimer = null;
  const searchBox = document.getElementById("search-text");

  async function search() {
    const text = searchBox.value.trim();
    const list = document.getElementById("search-results");
    const message = document.getElementById("search-message");
    if (text.length < 2) {
      list.replaceChildren();
      message.textContent = "";
      return;
    }
    try {
      const archived = document.getElementById("search-archived").checked;
      const data = await gql(SEARCH, { text, archived });
      if (searchBox.value.trim() !== text) return;
      const found = [
        ...data.customers.edges.map((edge) => ({ ...edge.node, kind: "CUSTOMER" })),
        ...data.contacts.edges.map((edge) => ({ ...edge.node, kind: "CONTACT" })),
        ...data.projects.edges.map((edge) => ({ ...edge.node, kind: "PROJECT" })),
      ];
      message.textContent = found.length ? "" : `Nothing matches “${text}”.`;
      list.replaceChildren(
        ...found.map((party) =>
          el(
            "li",
            {},
            el(
              "button",
              { type: "button", "data-id": party.id, onclick: () => centreOn(party.id) },
              el("img", { src: ICONS[party.kind], alt: "", width: 16, height: 16 }),
              el("span", { dir: "auto" }, party.name),
              party.customer ? el("span", { dir: "auto", class: "muted" }, `· ${party.customer.name}`) : null,
              party.archivedAt ? el("span", { class: "muted" }, "· archived") : null,
              el("span", { class: "kind" }, KIND_NAMES[party.kind]),
            ),
          ),
        ),
      );
    } catch (failure) {
      message.textContent = failure.message;
    }
  }

  // --- the side panel ------------------------------------------------------------------------

  function closePanel() {
    document.getElementById("panel").hidden = true;
    requestAnimationFrame(() => cy.resize());
    cy.nodes().unselect();
    state.selected = null;
  }

  function when(value) {
    return value ? new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";
  }

  function relationshipsSection(card) {
    const rows = card.relationships.edges.map(({ node }) => {
      const link = node.relationship;
      const span = [link.startsOn, link.endsOn].filter(Boolean).join(" – ");
      // A line that starts in Hebrew reads right to left.
      return el(
        "li",
        { class: link.current ? "" : "former", dir: "auto" },
        el("span", { class: "dot", style: `background:${link.colour}` }),
        el("span", { dir: "auto" }, node.label),
        ": ",
        el("a", { href: "#", dir: "auto", onclick: (event) => { event.preventDefault(); openPanel(node.other.id, node.other.kind, node.other.name); } }, node.other.name),
        span ? el("span", { class: "muted" }, ` (${span})`) : null,
        link.former ? el("span", { class: "muted" }, " · former") : null,
      );
    });
    return [
      el("h3", {}, `Relationships (${card.relationships.totalCount})`),
      rows.length ? el("ul", { class: "relationships" }, rows) : el("p", { class: "muted" }, "None."),
    ];
  }

  function activitiesSection(card) {
    if (card.activities) {
      const rows = card.activities.edges.map(({ node }) =>
        el(
          "li",
          {},
          el("span", { class: "dot", style: `background:${node.type.colour}` }),
          node.ref ? el("b", {}, `${node.ref} `) : null,
          el("span", { dir: "auto" }, node.subject),
          el("span", { class: "muted" }, ` · ${when(node.startsAt)} · ${node.state.toLowerCase()}`),
        ),
      );
      return [el("h3", {}, "Latest activities"), rows.length ? el("ul", { class: "activities" }, rows) : el("p", { class: "muted" }, "None.")];
    }
    const rows = card.stream.edges.map(({ node }) =>
      el("li", {}, el("span", { dir: "auto" }, node.summary), el("span", { class: "muted" }, ` · ${node.kind.toLowerCase()} · ${when(node.at)}`)),
    );
    return [el("h3", {}, "Latest activities"), rows.length ? el("ul", { class: "activities" }, rows) : el("p", { class: "muted" }, "None.")];
  }

  function panelActions(id) {
    return el(
      "div",
      { class: "actions" },
      el("button", { type: "button", class: "recentre", onclick: () => centreOn(id) }, "Re-centre the map here"),
      el("button", { type: "button", class: "path-from", onclick: () => { pickPath("path-from", id); } }, "Path from here"),
      el("button", { type: "button", class: "path-to", onclick: () => { pickPath("path-to", id); } }, "Path to here"),
    );
  }

  async function openPanel(id, kind, name) {
    state.selected = id;
    const panel = document.getElementById("panel");
    const body = document.getElementById("panel-body");
    panel.hidden = false;
    body.replaceChildren(el("h2", { dir: "auto" }, name), el("p", { class: "muted" }, "Loading…"));
    // The panel narrows the map: it is measured again, and the clicked party kept in view.
    requestAnimationFrame(() => {
      cy.resize();
      const node = cy.getElementById(id);
      const box = node.renderedBoundingBox();
      if (node.nonempty() && (box.x1 < 0 || box.x2 > cy.width() || box.y1 < 0 || box.y2 > cy.height())) {
        cy.center(node);
      }
    });
    if (!CARDS[kind]) {
      const links = cy.getElementById(id).connectedEdges();
      body.replaceChildren(
        el("h2", { dir: "auto" }, name),
        el("p", { class: "muted kind-line" }, "Other party: a name not (yet) a record"),
        panelActions(id),
        el("h3", {}, `Links on the map (${links.length})`),
      );
      return;
    }
    try {
      const data = await gql(CARDS[kind], { id });
      if (state.selected !== id) return;
      const card = data.card;
      if (!card) {
        body.replaceChildren(el("h2", { dir: "auto" }, name), el("p", { class: "error" }, "You may not see this record, or it is gone."));
        return;
      }
      const facts = [
        card.status ? card.status.toLowerCase() : null,
        card.title, card.city, card.email, card.phone,
        card.customer ? `at ${card.customer.name}` : null,
        card.owner ? `owner ${card.owner.name}` : null,
        card.archivedAt ? "archived" : null,
      ].filter(Boolean);
      const counts = card.linkedCounts
        ? [el("h3", {}, "Linked"), el("div", { class: "counts" },
            Object.entries(COUNT_NAMES).flatMap(([key, label]) => [el("span", {}, label), el("b", { "data-count": key }, card.linkedCounts[key])]))]
        : [];
      body.replaceChildren(
        el("h2", { dir: "auto" }, card.name),
        el("p", { class: "muted kind-line" }, KIND_NAMES[kind]),
        el("p", { dir: "auto", class: "facts" }, facts.join(" · ")),
        panelActions(id),
        ...relationshipsSection(card),
        ...counts,
        ...activitiesSection(card),
      );
      body.dataset.cardOf = id;
    } catch (failure) {
      body.replaceChildren(el("h2", { dir: "auto" }, name), el("p", { class: "error" }, failure.message));
    }
  }

  // --- the path between two parties ------------------------------------------------------------

  function pickPath(which, id) {
    document.getElementById(which).value = id;
    const from = document.getElementById("path-from").value;
    const to = document.getElementById("path-to").value;
    if (from && to) showPath();
  }

  function clearPath() {
    cy.elements().removeClass("on-path off-path");
    document.getElementById("path-message").textContent = "";
  }

  async function showPath() {
    const from = document.getElementById("path-from").value;
    const to = document.getElementById("path-to").value;
    const message = document.getElementById("path-message");
    clearPath();
    if (!from || !to) {
      message.textContent = "Choose two parties.";
      return;
    }
    const chosen = filters();
    try {
      const data = await gql(PATH, {
        from, to, types: chosen.types, kinds: chosen.kinds, asOf: chosen.asOf, structural: chosen.structural,
      });
      const found = data.relationshipPath;
      if (!found) {
        message.textContent = "No path of up to 6 links joins them.";
        return;
      }
      const added = merge({ nodes: found.nodes, edges: found.edges });
      if (added.nodes().length) layout(added.nodes());
      syncLists();
      document.getElementById("path-from").value = from;
      document.getElementById("path-to").value = to;
      const on = cy.collection();
      for (const node of found.nodes) on.merge(cy.getElementById(node.party.id));
      for (const edge of found.edges) on.merge(cy.getElementById(edge.id));
      cy.elements().not(on).addClass("off-path");
      on.addClass("on-path");
      cy.fit(on, 60);
      const names = found.nodes.map((node) => node.party.name);
      message.textContent = `${found.edges.length} link${found.edges.length === 1 ? "" : "s"}: ${names.join(" → ")}`;
      message.dir = "auto";
    } catch (failure) {
      message.textContent = failure.message;
    }
  }

  // --- export --------------------------------------------------------------------------------

  function exportJson() {
    const view = {
      roots: state.roots,
      filters: filters(),
      truncated: state.truncated,
      nodes: cy.nodes().map((node) => ({ ...node.data(), position: node.position() })),
      edges: cy.edges().map((edge) => {
        const { middle, symmetric, ...data } = edge.data();
        const type = state.catalog.find((entry) => entry.key === data.typeKey);
        return symmetric && type ? { ...data, label: type.label, reciprocalLabel: type.reciprocalLabel } : data;
      }),
    };
    download("relation-map.json", new Blob([JSON.stringify(view, null, 2)], { type: "application/json" }));
  }

  function exportPng() {
    download("relation-map.png", cy.png({ full: true, bg: "#ffffff", scale: 2, output: "blob" }));
  }

  // --- wiring --------------------------------------------------------------------------------

  cy.on("tap", "node", (event) => {
    const node = event.target;
    openPanel(node.id(), node.data("kind"), node.data("name"));
  });
  cy.on("dbltap", "node", (event) => expand(event.target));
  cy.on("tap", (event) => {
    if (event.target === cy) closePanel();
  });

  searchBox.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 250);
  });
  document.getElementById("search-archived").addEventListener("change", search);
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    search();
  });
  document.getElementById("depth").addEventListener("change", refresh);
  document.getElementById("limit").addEventListener("change", refresh);
  document.getElementById("structural").addEventListener("change", refresh);
  for (const box of document.querySelectorAll("input[name=kind]")) box.addEventListener("change", refresh);
  asOfBox.addEventListener("change", () => { showAsOf(); refresh(); });
  asOfSlider.addEventListener("input", showAsOf);
  asOfSlider.addEventListener("change", refresh);
  document.getElementById("path-show").addEventListener("click", showPath);
  document.getElementById("path-clear").addEventListener("click", clearPath);
  document.getElementById("export-png").addEventListener("click", exportPng);
  document.getElementById("export-json").addEventListener("click", exportJson);
  document.getElementById("panel-close").addEventListener("click", closePanel);
  showAsOf();

  // The map and its parts, for a person's own scripts in the console (and the page's tests).
  window.kesherMap = { cy, state, refresh, draw, exportJson };

  Kesher.signIn(async () => {
    try {
      await loadCatalog();
      document.getElementById("filters").disabled = false;
    } catch (failure) {
      document.getElementById("map-message").textContent = failure.message;
    }
    const wanted = new URLSearchParams(window.location.search).get("root");
    if (wanted) centreOn(wanted);
  });
})();
