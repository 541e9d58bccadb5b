// What both pages share: the GraphQL call with the tab's token, and the sign-in form.
"use strict";

const Kesher = (() => {
  const TOKEN = "kesher.token";
  const NAME = "kesher.userName";
  const USER = "kesher.userId";

  /** An error the API answered with, carrying its `extensions.code`. */
  class ApiError extends Error {
    constructor(message, code, errors) {
      super(message);
      this.code = code;
      this.errors = errors;
    }
  }

  async function gql(query, variables = {}) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN);
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
    let answer;
    try {
      answer = await response.json();
    } catch (error) {
      throw new ApiError(`The service answered ${response.status}.`, "HTTP_" + response.status, []);
    }
    if (answer.errors && answer.errors.length) {
      const first = answer.errors[0];
      const code = (first.extensions && first.extensions.code) || "ERROR";
      if (code === "UNAUTHENTICATED") signOut(false);
      throw new ApiError(first.message, code, answer.errors);
    }
    return answer.data;
  }

  const LOGIN = `mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      __typename
      ... on LoginSuccess { token user { id name role } }
      ... on MutationError { code message field }
    }
  }`;

  function viewer() {
    const token = sessionStorage.getItem(TOKEN);
    return token
      ? { token, id: sessionStorage.getItem(USER), name: sessionStorage.getItem(NAME) }
      : null;
  }

  let onSignedIn = () => {};

  function signOut(reload = true) {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(NAME);
    sessionStorage.removeItem(USER);
    if (reload) window.location.reload();
    else showSignIn("Your session ended: sign in again.");
  }

  function showSignIn(message = "") {
    document.body.classList.add("signed-out");
    document.body.classList.remove("signed-in");
    document.getElementById("sign-in-error").textContent = message;
  }

  function showSignedIn() {
    const who = viewer();
    document.body.classList.remove("signed-out");
    document.body.classList.add("signed-in");
    document.getElementById("viewer-name").textContent = who.name || "";
    onSignedIn(who);
  }

  /** Wires the page's sign-in form; `then` runs once a user is signed in (now or later). */
  function signIn(then) {
    onSignedIn = then;
    const form = document.getElementById("sign-in");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = document.getElementById("sign-in-error");
      error.textContent = "";
      try {
        const data = await gql(LOGIN, {
          email: form.elements.email.value.trim(),
          password: form.elements.password.value,
        });
        const answer = data.login;
        if (answer.__typename !== "LoginSuccess") {
          error.textContent = answer.message;
          return;
        }
        // Kept for this tab only: closing it signs out.
        sessionStorage.setItem(TOKEN, answer.token);
        sessionStorage.setItem(NAME, answer.user.name);
        sessionStorage.setItem(USER, answer.user.id);
        form.reset();
        showSignedIn();
      } catch (failure) {
        error.textContent = failure.message;
      }
    });
    document.getElementById("sign-out").addEventListener("click", () => signOut(true));
    if (viewer()) showSignedIn();
    else showSignIn();
  }

  /** An element with attributes and children (text or nodes); text is never parsed as HTML. */
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function download(name, blob) {
    const link = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  return { gql, signIn, viewer, el, download, ApiError };
})();
