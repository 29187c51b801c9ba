"""The inputs of ``siyu bench nlp``: a 50,000-word list and a realistic mix of chat messages.

The list is siyu's default lists plus synthetic words: common characters (GB2312 level 1)
drawn at random into words of 2-6 characters (3-4 mostly), and a few Latin ones, until the
lists hold 50,000 entries. The messages are built from fragments of real customer and staff
chat, about 30 characters each, in fixed proportions (seeded, so every run sees the same
mix): most are plain chat that hits nothing (100 fragments, 4 of them with a word of the
allowlist: 滚筒, 第一次, 垃圾袋, 我妈的); some ask something (an intent cue); some carry a
sensitive word, an evasion, or a contact.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from nlp import DEFAULT_DIR

LIST_WORDS: Final = 50_000
SEED: Final = 20261124

PLAIN: Final = (
    "你好，请问在吗",
    "好的谢谢",
    "收到了，辛苦了",
    "嗯嗯明白了",
    "那我再看看吧",
    "今天发货吗",
    "快递到哪了，帮我查一下物流",
    "这个怎么用啊，说明书在哪",
    "颜色和图片上一样吗",
    "尺码偏大还是偏小",
    "我昨天已经付过款了",
    "麻烦帮我改一下收货地址",
    "孩子很喜欢，下次还来",
    "这个适合油性皮肤吗",
    "能开发票吗，公司抬头",
    "早上好，周末愉快",
    "我老公说挺好用的",
    "包装很用心，点赞",
    "亲，您的快递已经发出了，请注意查收",
    "活动时间是本周五到周日",
    "感谢支持，有问题随时找我",
    "这款面霜适合干性皮肤使用",
    "您的订单已经安排发货了",
    "请问还有什么可以帮您的吗",
    "新品下周上架，到时候通知您",
    "这个是今年的新款，面料很舒服",
    "一般三到五天能到",
    "您看下这个尺码合适吗",
    "已经帮您备注了",
    "上次买的用完了",
    "我在外地出差",
    "好的，回头聊",
    "我们公司是做滚筒印刷的",
    "第一次在你们家买",
    "家里垃圾袋用完了",
    "我妈的生日快到了",
    "小程序打不开是怎么回事",
    "积分可以换什么",
    "宝宝吃了没有不舒服",
    "哈哈哈好的",
    "好的呢亲",
    "在的在的",
    "收到，谢谢老师",
    "明白了，我跟家里人说一下",
    "今天有点忙，晚点看",
    "图片收到了",
    "发我看看实物图",
    "是正品吧",
    "什么时候能到",
    "能发顺丰吗",
    "快递到哪了",
    "地址是朝阳区建国路",
    "我选的是红色那款",
    "是今年的新款吗",
    "质量怎么样",
    "会不会掉色",
    "有没有大一码的",
    "孩子穿着挺合适",
    "我先看看别的",
    "你们店在哪个商场",
    "周末人多吗",
    "昨天的活动我没赶上",
    "会员积分怎么查",
    "这个怎么保存比较好",
    "能放冰箱吗",
    "保质期多久",
    "我老婆很喜欢这个颜色",
    "帮我看一下订单状态",
    "我把地址发你",
    "收件人写我爸的名字也行",
    "电话一直占线",
    "外包装有点压扁了，东西没事",
    "下次还找你买",
    "东西不错，已经推荐给朋友",
    "上次买的那款还有吗",
    "我朋友也想要",
    "好，辛苦你了",
    "谢谢你的耐心",
    "早点休息",
    "节日快乐",
    "新年好",
    "收到啦",
    "稍等一下",
    "我问问我老公",
    "嗯嗯好的",
    "知道了",
    "我这边网络不好",
    "刚才没看到消息",
    "不好意思回复晚了",
    "这个尺码对照表在哪",
    "说明书我看不懂",
    "需要自己安装吗",
    "有没有视频教程",
    "充电要多久",
    "电池能用多久",
    "是哪里生产的",
    "适合几岁的孩子",
    "老人能用吗",
    "有没有礼盒装",
    "可以写贺卡吗",
    "能帮我包装一下吗",
)
INTENT: Final = (
    "这个多少钱呀",
    "太贵了，能便宜点吗",
    "有没有优惠券",
    "我想买两盒",
    "怎么下单",
    "还有现货吗，我要了",
    "我要投诉你们，东西是坏的",
    "等了半个月还没发货",
    "别再给我发广告了",
    "退订",
    "转人工",
    "你是机器人吗",
    "我想预约明天下午",
    "师傅什么时候上门",
    "周末可以到店体验吗",
    "不贵，挺值的",
    "不想买了，谢谢",
    "包邮吗",
    "发错货了",
    "叫你们经理来",
)
SENSITIVE: Final = (
    "加我微信详聊",
    "你个傻逼",
    "我们是全网最低价",
    "好评返现5元",
    "刷单兼职日结",
    "100%有效，无效退款",
    "私下转账给我就行",
    "垃圾产品垃圾服务",
    "保证治愈永不复发",
    "去死吧",
)
EVASION: Final = (
    "加我v.x详聊",
    "ＶＸ同号",
    "加 我 微 信",
    "加我薇❤",
    "好.评.返.现",
    "傻*逼",
    "私下轉賬",
    "+V：shop8888",
    "微❤同号",
    "加我🅥🅧",
)
CONTACT: Final = (
    "我电话13912345678",
    "qq：87654321",
    "去这个网站 www.cheap-shop.cn",
    "wx：zhang_san_88",
    "一三九一二三四五六七八",
    "邮箱zhang@163.com",
)
MIX: Final = ((PLAIN, 0.62), (INTENT, 0.22), (SENSITIVE, 0.08), (EVASION, 0.05), (CONTACT, 0.03))
TARGET_CHARS: Final = 30
_HALF: Final = 0.5


def messages(count: int, seed: int = SEED) -> list[str]:
    """``count`` chat messages of about 30 characters, in the proportions of ``MIX``."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
    pools = [pool for pool, _ in MIX]
    weights = [weight for _, weight in MIX]
    out = []
    for _ in range(count):
        (pool,) = rng.choices(pools, weights)
        text = rng.choice(pool)
        while len(text) < TARGET_CHARS - 8:  # pad with plain chat, as messages run on
            pad = rng.choice(PLAIN)
            text = f"{text}，{pad}" if rng.random() < _HALF else f"{pad}，{text}"
        out.append(text)
    return out


def _common_chars() -> str:
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def synthetic_words(count: int, seed: int = SEED) -> list[str]:
    """``count`` distinct synthetic words (mostly Chinese, 2-6 characters)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic words, not a secret
    chars = _common_chars()
    lengths: Sequence[int] = (2, 3, 3, 4, 4, 4, 5, 6)
    words: set[str] = set()
    while len(words) < count:
        if rng.random() < 0.03:  # noqa: PLR2004 - a few Latin entries, as real lists have
            word = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(4, 7)))
        else:
            word = "".join(rng.choices(chars, k=rng.choice(lengths)))
        words.add(word)
    return sorted(words)


def default_entries() -> list[str]:
    """The entries of the default sensitive lists."""
    out = []
    for path in sorted((DEFAULT_DIR / "sensitive").glob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            entry = line.split("#", 1)[0].strip()
            if entry:
                out.append(entry.split()[0])
    return out


def write_big_lists(target: Path) -> list[str]:
    """Copy the default lists to ``target`` and grow them to 50,000 entries; the words."""
    shutil.copytree(DEFAULT_DIR, target)
    base = default_entries()
    extra = [w for w in synthetic_words(LIST_WORDS) if w not in set(base)][: LIST_WORDS - len(base)]
    quarter = len(extra) // 4
    for i, category in enumerate(("abuse", "ad_law", "fraud", "diversion")):
        chunk = extra[i * quarter : (i + 1) * quarter if i < 3 else len(extra)]  # noqa: PLR2004
        (target / "sensitive" / f"{category}.bench.txt").write_text(
            "\n".join(chunk) + "\n", encoding="utf-8"
        )
    return base + extra
