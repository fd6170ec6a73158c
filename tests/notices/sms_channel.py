"""An SMS channel as a deployment would add it: one module, named in the EXTENSIONS setting."""

from workflow.vocabulary.channels import NoticeChannel, register_channel

SENT: list[tuple[int, str]] = []


def send_sms(notice) -> None:
    SENT.append((notice.recipient.user_id, notice.message.subject))
    notice.reached.add("sms")


register_channel(NoticeChannel("sms", send_sms, order=25))
