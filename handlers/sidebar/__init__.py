"""The staff sidebar (聊天工具栏, issue 17): what siyu knows about a customer or a group, inside
the staff member's chat with them. This package is its protocol backend and JSON API: OAuth2
identity and the signed session, JS-SDK signatures, the customer and group cards and the
actions staff take from them, every one checked server-side. Pages go on top of it."""
