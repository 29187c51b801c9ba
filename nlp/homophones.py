"""Common characters by toneless syllable: the sound-alikes families generate (``families``).

GB2312 level 1 (the 3,755 most used characters), each under the first reading pypinyin gives
it. Generated from pypinyin (0.55) by ``python -m nlp.homophones`` and checked against it by
tests/nlp/test_families.py: pypinyin's whole table costs ~55 MiB per process, this one
nothing.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Final

TABLE: Final = """
a 啊阿
ai 哀哎唉埃挨爱癌皑矮碍艾蔼隘
an 俺安岸按暗案氨胺鞍
ang 昂盎肮
ao 傲凹奥懊敖澳熬翱袄
ba 八叭吧坝巴扒把拔捌爸疤笆罢耙芭跋霸靶
bai 佰拜摆柏白百稗败
ban 伴办半扮扳拌搬斑板版班瓣绊般颁
bang 傍帮梆棒榜磅绑膀蚌谤邦镑
bao 保包堡宝报抱暴爆胞苞薄褒豹雹饱鲍
bei 倍北卑备悲惫杯焙狈碑背被贝辈钡
ben 奔本笨苯
beng 崩泵甭绷蹦迸
bi 壁币庇弊彼必敝比毕毖毙痹碧笔臂蓖蔽逼避鄙闭陛鼻
bian 便卞变扁编贬辨辩辫边遍鞭
biao 彪标膘表
bie 别憋瘪鳖
bin 宾彬摈斌滨濒
bing 丙兵冰并柄炳病秉饼
bo 伯剥勃博卜帛拨搏播波渤玻箔脖膊舶菠钵铂驳
bu 不哺埠布怖捕步簿补部
ca 擦
cai 彩才材猜睬菜蔡裁财踩采
can 参惨惭掺残灿蚕餐
cang 仓沧舱苍藏
cao 操曹槽糙草
ce 侧册厕测策
ceng 层曾蹭
cha 叉察岔差插搽查碴茬茶诧
chai 拆柴豺
chan 产搀缠蝉谗铲阐颤馋
chang 倡偿厂唱场尝常敞昌猖畅肠
chao 吵嘲巢抄朝潮炒超钞
che 彻扯掣撤澈车
chen 尘忱晨沉臣衬趁辰郴陈
cheng 乘呈城惩成承撑橙澄秤称程诚逞骋
chi 侈吃尺弛持斥池炽痴翅耻赤迟驰齿
chong 充冲宠崇虫
chou 丑仇愁抽畴瞅稠筹绸臭踌酬
chu 储出初厨处搐楚橱滁畜矗础触躇锄除雏
chuai 揣
chuan 串传喘川椽穿船
chuang 创幢床疮窗闯
chui 吹垂捶椎炊锤
chun 唇春椿淳纯蠢醇
chuo 戳绰
ci 伺刺慈次此瓷疵磁茨词赐辞雌
cong 丛从匆囱聪葱
cou 凑
cu 促簇粗醋
cuan 窜篡蹿
cui 催崔摧淬瘁粹翠脆
cun 存寸村
cuo 挫措搓撮磋错
da 大打搭瘩答达
dai 代傣呆带待怠戴歹殆袋贷逮
dan 丹但单弹惮担掸旦氮淡耽胆蛋诞郸
dang 党当挡档荡
dao 倒刀到导岛悼捣盗祷稻蹈道
de 得德的
deng 凳灯登瞪等蹬邓
di 低地堤嫡帝底弟抵敌涤滴狄笛第缔翟蒂迪递
dian 佃典垫奠店惦掂殿淀滇点电甸碘靛颠
diao 凋刁叼吊掉碉调钓雕
die 叠爹碟蝶谍跌迭
ding 丁叮定盯订钉锭顶鼎
diu 丢
dong 东侗冬冻动恫懂栋洞董
dou 兜抖斗痘豆逗都陡
du 堵妒度杜毒渡犊独督睹肚读赌镀
duan 断段短端缎锻
dui 兑堆对队
dun 吨囤墩敦盾蹲遁钝顿
duo 剁哆垛堕多夺惰掇朵舵跺躲
e 俄厄娥峨恶扼蛾讹遏鄂额饿鹅
en 恩
er 二儿尔洱而耳贰饵
fa 乏伐发法珐筏罚阀
fan 凡反帆樊泛烦犯番矾繁翻范藩贩返钒饭
fang 仿坊妨房放方纺肪芳访防
fei 匪吠啡废沸肥肺菲诽费非飞
fen 份分吩坟奋忿愤氛汾焚粉粪纷芬酚
feng 丰冯凤奉封峰枫烽疯缝蜂讽逢锋风
fou 否
fu 付伏佛俘俯傅副咐复夫妇孵富幅府弗扶抚拂敷斧服氟浮涪父甫福符缚肤腐腑腹袱覆讣负赋赴
fu 辅辐釜阜附
ga 嘎噶
gai 改概溉盖该钙
gan 干感敢杆柑甘秆竿肝赣赶
gang 冈刚岗杠港纲缸肛钢
gao 告搞皋稿篙糕羔膏镐高
ge 个割各咯哥戈搁格歌疙胳葛铬阁隔革鸽
gei 给
gen 根跟
geng 埂庚更梗羹耕耿
gong 供公共功宫工巩弓恭拱攻汞贡躬龚
gou 勾垢够构沟狗苟购钩
gu 估古咕固姑孤故沽箍股菇蛊谷辜雇顾骨鼓
gua 刮剐寡挂瓜褂
guai 乖怪拐
guan 关冠官惯棺灌管罐观贯馆
guang 光广逛
gui 傀刽圭归柜桂炔瑰癸硅规诡贵跪轨闺鬼龟
gun 棍滚辊
guo 国果裹过郭锅
ha 哈蛤
hai 亥孩害氦海还骇骸
han 函含喊寒悍憨憾捍撼旱汉汗涵焊罕翰邯酣韩
hang 夯杭航
hao 号嚎壕好毫浩耗豪貉郝
he 何合呵和喝核河涸盒禾荷菏褐贺赫阂鹤
hei 嘿黑
hen 很恨狠痕
heng 亨哼恒横衡
hong 哄宏弘洪烘红虹轰鸿
hou 侯候厚后吼喉猴
hu 乎互呼唬壶弧忽户护沪湖狐瑚糊胡葫虎蝴
hua 划化华哗滑猾画花话
huai 坏徊怀槐淮
huan 唤宦幻患换桓欢涣焕环痪缓豢
huang 凰幌恍惶慌晃煌皇磺簧荒蝗谎黄
hui 会卉回徽恢悔惠慧挥晦毁汇灰烩秽绘蛔讳诲贿辉
hun 婚昏浑混荤魂
huo 伙惑或活火祸获豁货霍
ji 伎冀几击剂即及吉圾基妓姬嫉季寂寄己忌急悸技挤既机极棘汲济激畸疾祭积稽箕籍级纪继绩
ji 缉肌脊蓟藉计讥记辑迹际集饥鸡
jia 价佳假加嘉夹嫁家架枷甲稼茄荚贾钾颊驾
jian 件俭健兼减剑剪坚奸尖建拣捡柬检歼涧渐溅煎监硷碱笺简箭缄肩舰艰茧荐见贱践鉴键间饯
jiang 僵匠奖姜将桨江浆疆蒋讲酱降
jiao 交侥剿叫娇搅教椒浇焦狡矫礁窖绞缴胶脚蕉角轿较郊酵铰饺骄
jie 介借劫姐届戒截捷接揭杰洁界疥皆睫秸竭结节芥街解诫阶
jin 仅今劲尽巾斤晋津浸烬禁筋紧襟谨近进金锦靳
jing 井京兢净境径惊敬景晶痉睛竞竟粳精经茎荆警镜靖静颈鲸
jiong 炯窘
jiu 久九厩咎就揪救旧灸玖疚究纠臼舅酒韭
ju 举俱具剧句咀局居巨惧拒拘据桔沮炬狙疽矩聚菊距踞锯鞠驹
juan 倦卷娟捐眷绢鹃
jue 倔决嚼抉掘撅攫爵绝觉诀
jun 俊军君均峻浚竣菌郡钧骏
ka 卡咖喀
kai 凯开慨揩楷
kan 刊勘坎堪槛看砍
kang 亢康慷扛抗炕糠
kao 拷烤考靠
ke 克刻可咳坷壳客柯棵渴磕科苛课颗
ken 啃垦恳肯
keng 吭坑
kong 孔恐控空
kou 口寇扣抠
ku 哭库枯窟苦裤酷
kua 垮夸挎胯跨
kuai 侩块快筷
kuan 宽款
kuang 况匡旷框狂眶矿筐
kui 亏奎岿愧溃盔窥葵馈魁
kun 困坤捆昆
kuo 廓扩括阔
la 啦喇垃拉腊蜡辣
lai 来莱赖
lan 兰婪懒拦揽栏滥澜烂篮缆蓝览谰阑
lang 廊朗榔浪狼琅郎
lao 佬劳姥捞涝潦烙牢老酪
le 乐了肋
lei 儡勒垒擂泪磊类累蕾镭雷
leng 冷棱楞
li 丽例俐傈利力励历厉厘吏哩李栗梨沥漓犁狸理璃痢砾礼离立篱粒荔莉里隶鲤黎
lia 俩
lian 帘廉怜恋敛涟炼练联脸莲连链镰
liang 两亮凉晾梁粮粱良谅辆量
liao 僚寥廖撂撩料燎疗聊辽镣
lie 列劣烈猎裂
lin 临凛吝拎林淋琳磷赁邻霖鳞
ling 令伶凌另岭灵玲羚菱铃陵零领龄
liu 六刘柳榴流溜琉留瘤硫馏
long 咙垄拢窿笼聋陇隆龙
lou 娄搂楼漏篓陋
lu 侣卢卤吕屡履庐录律戮掳旅氯滤潞炉率碌禄绿缕芦虏虑赂路铝陆露颅驴鲁鹿麓
luan 乱卵孪峦挛滦
lue 掠略
lun 仑伦抡沦纶论轮
luo 洛箩络罗萝落螺裸逻锣骆骡
ma 吗嘛妈玛码蚂马骂麻
mai 买卖埋脉迈麦
man 慢曼满漫瞒蔓蛮谩馒
mang 忙氓盲芒茫莽
mao 冒卯帽毛猫矛茂茅貌贸铆锚
me 么
mei 妹媒媚寐昧枚梅每没煤玫眉美酶镁霉
men 们门闷
meng 孟梦檬猛盟萌蒙锰
mi 密幂弥泌眯秘米糜蜜觅谜迷醚靡
mian 免冕勉娩棉眠绵缅面
miao 妙庙描渺瞄秒苗藐
mie 灭蔑
min 悯抿敏民皿闽
ming 名命明螟铭鸣
miu 谬
mo 墨寞抹摩摸摹末模沫漠磨膜莫蘑陌魔默
mou 某牟谋
mu 亩募墓姆幕慕拇暮木母牡牧目睦穆
na 呐哪娜拿纳那钠
nai 乃奈奶氖耐
nan 南男难
nang 囊
nao 恼挠淖脑闹
ne 呢
nei 内馁
nen 嫩
neng 能
ni 你倪匿妮尼拟泥溺腻逆霓
nian 年念拈捻撵碾蔫辗
niang 娘酿
niao 尿鸟
nie 啮孽捏涅聂镊镍
nin 您
ning 凝宁拧柠泞狞
niu 扭牛纽钮
nong 农弄浓脓
nu 努女奴怒
nuan 暖
nue 疟虐
nuo 懦挪糯诺
o 哦
ou 偶呕欧殴沤藕鸥
pa 啪帕怕爬琶趴
pai 徘拍排派湃牌
pan 判叛攀潘畔盘盼磐
pang 乓庞旁耪胖
pao 刨咆抛泡炮袍跑
pei 佩呸培沛胚裴赔配陪
pen 喷盆
peng 彭抨捧朋棚澎烹砰硼碰篷膨蓬鹏
pi 僻劈匹啤坯屁批披毗琵疲痞皮砒脾譬辟霹
pian 偏片篇骗
piao 漂瓢票飘
pie 撇瞥
pin 品拼聘贫频
ping 乒凭坪屏平瓶苹萍评
po 坡婆泊泼破粕迫颇魄
pou 剖
pu 仆圃埔扑普曝朴浦瀑脯莆菩葡蒲谱铺
qi 七乞企其凄启器奇契妻岂崎弃戚旗期柒栖棋欺歧气汽沏泣漆畦砌祁祈脐讫起迄骑齐
qia 恰掐洽
qian 乾仟前千堑嵌扦欠歉浅潜牵签谦谴迁遣钎钱钳铅黔
qiang 呛墙强抢枪羌腔蔷
qiao 乔侨俏峭巧悄撬敲桥橇瞧窍翘锹鞘
qie 且切怯窃
qin 亲侵勤寝擒沁琴禽秦芹钦
qing 倾卿庆情擎晴氢氰清请轻青顷
qiong 琼穷
qiu 丘囚求泅球秋邱酋
qu 区去取娶屈曲渠蛆趋趣躯驱龋
quan 全券劝圈拳权泉犬痊醛颧
que 却榷瘸确缺雀鹊
qun 群裙
ran 冉染然燃
rang 嚷壤攘瓤让
rao 扰绕饶
re 惹热
ren 人仁任刃壬妊忍纫认韧
reng 仍扔
ri 日
rong 冗容戎溶熔绒茸荣蓉融
rou 揉柔肉
ru 乳儒入如孺汝茹蠕褥辱
ruan 软阮
rui 瑞蕊锐
run 润闰
ruo 弱若
sa 撒洒萨
sai 塞腮赛鳃
san 三伞叁散
sang 丧嗓桑
sao 嫂扫搔骚
se 涩瑟色
sen 森
seng 僧
sha 傻刹厦啥杀沙煞砂纱莎
shai 晒筛
shan 删善山扇擅杉汕煽珊缮膳苫衫赡闪陕
shang 上伤商墒尚晌裳赏
shao 勺哨少捎梢烧稍绍芍邵韶
she 奢射慑摄涉社舌舍蛇设赊赦
shen 什伸呻娠婶审慎沈深渗甚申砷神绅肾身
sheng 剩升圣声牲生甥盛省绳胜
shi 世事仕似使侍势匙十史嗜噬士失始实室尸屎市师式恃拭拾施时是柿氏湿狮矢石示虱蚀视誓识
shi 试诗适逝释食饰驶
shou 兽受售守寿手授收瘦首
shu 书叔墅孰属庶恕戍抒数暑曙术束枢树梳殊淑漱熟疏竖署舒蔬薯蜀赎输述黍鼠
shua 刷耍
shuai 帅摔甩衰
shuan 拴栓
shuang 双爽霜
shui 水睡税谁
shun 吮瞬舜顺
shuo 朔烁硕说
si 丝司嗣嘶四寺巳思撕斯死私肆饲
song 宋怂松耸讼诵送颂
sou 嗽搜擞艘
su 俗僳塑宿溯粟素肃苏诉速酥
suan 算蒜酸
sui 岁碎祟穗绥虽遂隋随隧髓
sun 孙损笋
suo 唆所梭琐索缩蓑锁
ta 他塌塔她它挞獭踏蹋
tai 台太态抬汰泰胎苔酞
tan 叹坍坛坦探摊檀毯滩潭炭痰瘫碳袒谈谭贪
tang 倘唐堂塘搪棠汤淌烫糖膛趟躺
tao 套掏桃涛淘滔绦萄讨逃陶
te 特
teng 疼腾藤誊
ti 体剃剔啼嚏屉惕提替梯涕踢蹄锑题
tian 填天恬添甜田腆舔
tiao 挑条眺跳迢
tie 帖贴铁
ting 亭停厅听庭廷挺汀烃艇
tong 同彤捅桐桶痛瞳童筒统通酮铜
tou 偷头投透
tu 兔凸吐图土屠徒涂秃突途
tuan 团湍
tui 推腿蜕褪退颓
tun 吞屯臀
tuo 唾妥托拓拖椭脱陀驮驼鸵
wa 哇娃挖洼瓦蛙袜
wai 外歪
wan 万丸婉完宛弯惋挽晚湾烷玩皖碗腕豌顽
wang 亡妄往忘旺望枉汪王网
wei 为伟伪位卫危味唯喂围委威尉尾巍微惟慰未桅渭潍畏纬维胃苇萎蔚谓违韦魏
wen 吻文温瘟稳紊纹蚊问闻
weng 嗡瓮翁
wo 卧我挝握斡沃涡窝蜗
wu 乌五伍侮务勿午吴吾呜坞屋巫悟戊捂无晤梧武毋污物舞芜诬误钨雾
xi 习吸喜嘻夕媳希席息悉惜戏昔晰析檄汐洗溪烯熄熙牺犀矽硒稀系细膝袭西铣锡隙
xia 下侠匣吓夏峡暇狭瞎虾辖霞
xian 仙先县咸嫌宪弦掀显涎献现纤线羡腺舷衔贤锨闲限险陷馅鲜
xiang 乡享像厢向响巷想橡湘相祥箱翔襄详象镶项香
xiao 哮啸嚣孝宵小效晓校消淆硝笑肖萧销霄
xie 些写协卸屑懈挟携斜械楔歇泄泻胁蝎蟹谐谢邪鞋
xin 信心忻新欣芯薪衅辛锌
xing 兴刑型姓幸形性惺星杏猩腥行邢醒
xiong 兄凶匈汹熊胸雄
xiu 休修嗅朽秀绣羞袖锈
xu 叙吁嘘墟婿序徐恤戌旭絮绪续蓄虚许酗需须
xuan 喧宣悬旋玄癣眩绚轩选
xue 削学穴薛血雪靴
xun 勋寻巡循旬殉汛熏训讯询迅逊驯
ya 丫亚压呀哑崖押涯牙芽蚜衙讶轧雅鸦鸭
yan 严厌咽唁堰奄宴岩延彦掩沿淹演炎烟焉焰燕盐眼研砚艳蜒衍言谚阉阎雁颜验
yang 仰佯养央扬杨样殃氧洋漾疡痒秧羊阳鸯
yao 咬妖姚尧摇瑶窑耀腰舀药要谣遥邀钥
ye 业也冶叶噎夜掖曳椰液爷耶腋野页
yi 一义乙亦亿以仪伊依倚医壹夷姨宜屹已异彝役忆意抑揖易椅毅沂溢疑疫益矣移绎翌翼肄胰臆
yi 艺蚁衣裔议译诣谊逸遗邑铱颐
yin 印吟因姻寅尹引殷淫茵荫银阴隐音饮
ying 婴应影映樱盈硬缨英荧莹萤营蝇赢迎颖鹰
yo 哟
yong 佣勇咏庸恿拥永泳涌用痈臃蛹踊雍
you 优佑又友右尤幼幽忧悠有油游犹由诱邮酉釉铀
yu 与予于余俞喻域娱宇寓屿峪御愈愉愚榆欲浴淤渔渝狱玉盂禹羽育舆芋虞裕誉语豫迂逾遇郁隅
yu 雨预驭鱼
yuan 元冤原员园圆垣怨愿援渊源猿缘苑袁辕远院鸳
yue 岳悦曰月粤约越跃阅
yun 云允匀孕晕耘蕴运郧酝陨韵
za 匝咋杂砸
zai 仔再哉在宰栽灾载
zan 咱攒暂赞
zang 脏葬赃
zao 凿噪早枣澡灶燥皂糟藻蚤躁造遭
ze 则择泽责
zei 贼
zen 怎
zeng 增憎赠
zha 乍喳扎札柞栅榨渣炸眨诈铡闸
zhai 债宅寨摘斋窄
zhan 占展崭战斩栈毡沾湛盏瞻站粘绽蘸詹
zhang 丈仗帐张彰掌杖樟涨漳瘴章胀账长障
zhao 兆召找招昭沼照爪罩肇赵
zhe 哲折浙着者蔗蛰辙这遮锗
zhen 侦帧振斟枕珍甄疹真砧臻诊贞针镇阵震
zheng 争征怔拯挣政整正狰症睁蒸证郑
zhi 之侄值制只吱址峙帜志执指挚掷支旨智枝植止殖汁治滞炙痔直知秩稚窒纸织置职肢脂至致芝
zhi 蜘质趾
zhong 中仲众忠盅种终肿衷重钟
zhou 周咒宙州帚昼洲皱粥肘舟诌轴骤
zhu 主住助嘱拄朱柱株注烛煮猪珠瞩祝竹筑著蛀蛛诛诸贮逐铸驻
zhua 抓
zhuai 拽
zhuan 专撰砖篆赚转
zhuang 壮妆庄撞桩状装
zhui 坠缀赘追锥
zhun 准谆
zhuo 卓啄拙捉桌浊灼茁酌
zi 兹咨姿子字孜淄渍滋滓籽紫自资
zong 宗总棕纵综踪鬃
zou 奏揍走邹
zu 卒族祖租组诅足阻
zuan 纂钻
zui 嘴最罪醉
zun 尊遵
zuo 佐作做坐左座昨琢
"""


@functools.cache
def syllables() -> dict[str, str]:
    """Toneless syllable → its common characters, sorted (a long row goes on in the next)."""
    out: dict[str, str] = {}
    for line in TABLE.strip().splitlines():
        syllable, chars = line.split(" ", 1)
        out[syllable] = out.get(syllable, "") + chars
    return out


def _common(ch: str) -> bool:
    """GB2312 level 1: the 3,755 characters of everyday writing."""
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7  # noqa: PLR2004 - level 1 rows


def from_pypinyin() -> dict[str, str]:
    """The table as pypinyin gives it today (dev only: pypinyin is not a runtime dependency)."""
    from pypinyin.pinyin_dict import pinyin_dict  # noqa: PLC0415 - 40k entries, dev only

    index: dict[str, list[str]] = {}
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        if not _common(ch):
            continue
        first = readings.split(",", 1)[0]
        toneless = "".join(c for c in unicodedata.normalize("NFD", first) if c.isascii())
        index.setdefault(toneless, []).append(ch)
    return {syllable: "".join(sorted(chars)) for syllable, chars in index.items()}


if __name__ == "__main__":  # prints the lines of TABLE, for a new pypinyin
    for key, value in sorted(from_pypinyin().items()):
        for i in range(0, len(value), 40):
            print(key, value[i : i + 40])  # noqa: T201
