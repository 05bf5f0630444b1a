// fetch wrapper for the InsureMall API: base URL from config.js, bearer token, plain-language errors.
import {clearSession, getSession} from "./session.js";

export class ApiError extends Error {
  constructor(message, {status = 0, code = "", fields = {}, network = false} = {}) {
    super(message);
    Object.assign(this, {status, code, fields, network});
  }
}

const base = () => String((window.INSUREMALL_CONFIG || {}).apiBase || "/api").replace(/\/+$/, "");

function message(status, error) {
  if (status === 422) return "Please correct the fields marked below.";
  if (status >= 500) return "Something went wrong on our side. Please try again in a moment.";
  if (error.message) return error.message.endsWith(".") ? error.message : error.message + ".";
  if (status === 401) return "Please sign in to continue.";
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "We could not find that. It may have been removed, or it belongs to another account.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  return "The request could not be completed.";
}

// `signal` (an AbortController's) cancels a request that a newer one replaced; it rejects with AbortError.
export async function api(path, {method = "GET", body, headers = {}, signal} = {}) {
  const h = {Accept: "application/json", ...headers};
  if (body !== undefined) h["Content-Type"] = "application/json";
  const session = getSession();
  if (session) h.Authorization = "Bearer " + session.idToken;
  let response, text;
  try {
    response = await fetch(base() + path, {method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal});
    text = await response.text();
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("We could not reach InsureMall. Check your internet connection and try again.", {network: true});
  }
  let data = null;
  try { data = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
  if (response.ok && data) return data;
  const error = (data && data.error) || {};
  // An expired or revoked token: forget it so the page can send the person to sign in.
  if (response.status === 401 && session) clearSession();
  const status = response.ok ? 502 : response.status;
  throw new ApiError(message(status, error), {status, code: error.code || "", fields: error.fields || {}});
}
