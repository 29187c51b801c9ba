"""The media library: images and files operators upload once and reference from rules.

Welcome and group-task attachments name an item (``{"library": "<id>"}``); at send time it
becomes the item's permanent ``pic_url`` (images through media/uploadimg) or its current
temporary ``media_id`` (files, videos, large images through media/upload, valid 3 days and
re-uploaded before they run out by the minute tick). See library.py for where bytes live.
"""
