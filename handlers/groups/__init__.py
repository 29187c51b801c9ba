"""Customer groups (客户群): the registry kept from change_external_chat, joins and quits by
day and scene, daily digests and quit alerts for owners and admins, welcome templates as
data, and group SOP reminders through siyu's reminders.
"""
