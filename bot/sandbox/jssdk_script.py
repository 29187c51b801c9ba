"""The stand-in JS-SDK the sandbox serves at /sandbox/jssdk.js, in place of WeCom's.

It offers what siyu's sidebar uses of both SDKs: ``ww.register`` (the newer @wecom/jssdk,
which asks the page for both signatures) and ``wx.config``/``wx.ready``/``wx.error``/
``wx.agentConfig``/``wx.invoke`` (jweixin); ``getContext``, ``getCurExternalContact``,
``getCurExternalChat`` and ``sendChatMessage`` on both. Every signature goes to the sandbox,
which checks it against the tickets it issued; the page's URL is ``location.href`` without
the fragment, as WeCom signs it. Answers use jweixin's ``err_msg`` (``api:ok``/``api:fail``).
"""

from __future__ import annotations

from typing import Final

SCRIPT: Final = """\
(function () {
  "use strict";
  var SANDBOX = __SANDBOX__;
  function pageUrl() { return String(location.href).split("#")[0]; }
  function post(path, body) {
    return fetch(SANDBOX + path, {method: "POST", headers: {"Content-Type": "text/plain"},
      body: JSON.stringify(body)}).then(function (r) { return r.json(); });
  }
  function verify(kind, corpId, agentId, signed) {
    return post("/sandbox/jssdk/verify", {kind: kind, corpId: corpId, agentId: agentId,
      timestamp: signed.timestamp, nonceStr: signed.nonceStr, signature: signed.signature,
      url: pageUrl()});
  }
  function invoke(api, args) {
    return post("/sandbox/jssdk/invoke", {api: api, args: args || {}, url: pageUrl()});
  }
  function promised(api) {
    return function (args) {
      return invoke(api, args).then(function (res) {
        if (/:ok$/.test(res.err_msg)) { return res; }
        var error = new Error(res.err_msg); error.errMsg = res.err_msg; throw error;
      });
    };
  }
  var readyCallbacks = [], errorCallbacks = [], configured = null;
  var wx = {
    config: function (c) {
      configured = verify("config", c.appId, undefined, c).then(function (res) {
        (res.ok ? readyCallbacks : errorCallbacks).forEach(function (cb) {
          cb(res.ok ? undefined : {errMsg: res.errMsg});
        });
        return res;
      });
    },
    ready: function (cb) { readyCallbacks.push(cb); },
    error: function (cb) { errorCallbacks.push(cb); },
    agentConfig: function (c) {
      verify("agentConfig", c.corpid, c.agentid, c).then(function (res) {
        if (res.ok) { if (c.success) { c.success({errMsg: res.errMsg}); } }
        else if (c.fail) { c.fail({errMsg: res.errMsg}); }
      });
    },
    invoke: function (api, args, cb) {
      invoke(api, args).then(function (res) { if (cb) { cb(res); } });
    }
  };
  var ww = {
    register: function (o) {
      var config = Promise.resolve(o.getConfigSignature(pageUrl())).then(function (s) {
        return verify("config", o.corpId, undefined, s);
      });
      ww.ready = config.then(function (res) {
        if (!res.ok || !o.getAgentConfigSignature) { return res; }
        return Promise.resolve(o.getAgentConfigSignature(pageUrl())).then(function (s) {
          return verify("agentConfig", o.corpId, o.agentId, s);
        });
      });
      return ww.ready;
    },
    getContext: promised("getContext"),
    getCurExternalContact: promised("getCurExternalContact"),
    getCurExternalChat: promised("getCurExternalChat"),
    sendChatMessage: promised("sendChatMessage"),
    SANDBOX: true
  };
  window.wx = window.jWeixin = wx;
  window.ww = ww;
})();
"""
