"""Traditional → Simplified for plans typed or reposted in Traditional characters.

A plan converted on a Traditional-Chinese system (or pasted from a Hong Kong/Taiwan reposting)
must still be read, and its unit names must come out as the registry spells them. OpenCC's
``t2s`` conversion (phrase dictionary, the reference converter) does that when the ``opencc``
package is installed (a dependency of the project); the table below is the fallback without
it: the one-to-one characters of government and pollution-control vocabulary, with characters
whose simplified form is ambiguous in context (乾/干, 後/后 …) mapped to the reading plans use.
The table also decides whether a text looks Traditional at all.
"""

from functools import lru_cache

_PAIRS = (
    "區区縣县開开發发環环境境責责任任單单位位監监督督驗验收收時时限限措措施施標标準准體体"
    "這这個个們们為为與与對对於于關关會会員员點点無无過过還还進进運运動动員员廣广東东華华國国"
    "際际來来從从經经濟济實实現现將将應应當当該该並并們们產产業业設设備备質质節节約约構构幹干"
    "處处辦办機机車车輛辆電电熱热氣气煙烟塵尘噸吨質质級级範范圍围內内間间爐炉窯窑燒烧鍋锅"
    "礦矿鋼钢鐵铁鋁铝銷销售售營营運运輸输線线網网絡络層层頭头專专項项務务導导組组織织領领"
    "黨党紀纪監监廳厅長长記记錄录檢检測测數数據据質质報报告告價价費费額额稅税貸贷資资財财"
    "審审計计劃划規规劃划劃划執执罰罚查查處处懲惩戒戒嚴严厲厉禁禁燃燃放放爆爆竹竹銷销毀毁"
    "整整改改時时間间內内標标誌志識识別别類类舊旧淘淘汰汰換换燈灯濕湿掃扫灑洒噴喷霧雾淨净"
    "潔洁衛卫綠绿園园區区樹树種种農农業业養养殖殖場场糞粪汙污染染臺台帳账軌轨跡迹據据"
    "屬属縣县鄉乡鎮镇村村莊庄屆届協协調调聯联勞劳動动紧紧緊紧強强復复雜杂團团結结穩稳"
    "歲岁歷历曆历憑凭譯译詳详細细說说話话認认識识讀读寫写議议論论設设計计請请讓让許许證证"
    "訂订試试驗验誤误調调諮咨詢询講讲課课談谈謀谋諾诺護护變变鬆松響响頁页題题願愿類类顯显"
    "風风飛飞養养餐餐飲饮館馆饒饶醫医藥药衛卫學学習习舉举優优態态慣惯憂忧懷怀戰战戲戏戶户"
    "揮挥換换損损擊击擴扩擾扰攜携敗败斷断於于昇升暫暂樓楼樣样橋桥機机權权歐欧歸归殘残氣气"
    "湧涌滅灭滯滞漲涨澤泽燈灯營营爭争牆墙狀状獎奖獨独獲获瑪玛產产畫画當当療疗盡尽盤盘"
    "眾众礎础禮礼稱称積积穀谷窮穷競竞筆笔範范築筑簡简糧粮紅红納纳純纯紙纸級级紛纷細细終终"
    "組组絕绝統统絲丝維维綜综編编緣缘縮缩總总績绩織织繼继續续罰罚羅罗聖圣聞闻聲声職职聽听"
    "膽胆脅胁興兴舊旧艙舱莊庄蔣蒋蘇苏處处號号蟲虫術术衝冲製制複复覆覆視视覺觉親亲觀观規规"
    "訊讯討讨訓训託托記记設设許许訴诉診诊註注評评詞词試试誠诚誰谁課课調调談谈請请諸诸謂谓"
    "證证識识譜谱議议護护讀读變变讓让豐丰負负貢贡貨货販贩責责貴贵買买費费賀贺資资賓宾賣卖"
    "質质賬账賴赖購购贊赞趕赶趨趋躍跃軍军軟软較较載载輔辅輕轻輪轮輯辑轄辖轉转辦办農农遊游"
    "運运過过達达違违遠远適适遲迟選选遺遗遷迁邊边鄰邻醜丑釋释鍵键鏈链錢钱錯错鏽锈長长門门"
    "閉闭開开閒闲間间閱阅闊阔關关陣阵陰阴陳陈陸陆隊队階阶際际隨随險险隱隐雙双雞鸡離离難难"
    "電电靜静順顺預预領领頻频顆颗額额顏颜願愿類类顧顾飽饱餘余驅驱驗验骯肮體体髮发鬥斗魚鱼"
    "鳥鸟鹽盐麥麦黃黄點点齊齐齒齿龍龙億亿們们傳传傷伤價价儲储兒儿內内兩两冊册凈净劑剂"
    "動动勢势勵励勻匀協协單单賣卖厭厌參参雙双發发變变只只吳吴員员啟启喪丧嚴严圍围國国圖图"
    "圓圆場场壓压壞坏壩坝壽寿夠够夢梦奪夺婦妇媽妈實实寧宁審审寫写寶宝將将專专尋寻對对導导"
    "層层屬属嶺岭幣币師师帶带幫帮廠厂廢废廣广張张彈弹後后徑径從从復复徵征應应懲惩戀恋"
    "據据擁拥擬拟擔担擺摆攔拦攝摄斬斩於于時时晉晋畫画暢畅曉晓條条來来東东極极構构標标"
    "樁桩檔档檢检歡欢氣气決决沒没測测濟济滬沪漢汉災灾為为煉炼煤煤熱热燦灿爾尔牽牵獻献"
    "產产畢毕當当瘋疯發发盜盗監监確确碼码穩稳窯窑競竞筍笋節节範范糾纠紀纪約约紡纺線线練练"
    "縣县繫系罷罢聯联聰聪腦脑臨临舉举莖茎葉叶蘭兰蟻蚁術术補补裝装誌志說说課课請请讓让"
    "豬猪貓猫賽赛贏赢趙赵車车軌轨輛辆輸输辭辞邁迈鄭郑醬酱釀酿針针鈣钙鈴铃鉛铅銀银銅铜"
    "鋪铺鋁铝鋸锯錄录鍊链鍍镀鎖锁鎮镇鏡镜鐘钟鑄铸闆板闖闯陝陕雲云靈灵頂顶項项順顺須须"
    "頓顿頒颁頗颇領领頸颈頻频題题顏颜顯显風风颱台飯饭飾饰餅饼館馆馬马駐驻駕驾騰腾騷骚"
    "驚惊驟骤髒脏鬧闹魯鲁鮮鲜鴻鸿鵬鹏麗丽麼么黨党齡龄龜龟咸咸鄠鄠灞灞滻浐澇涝瀝沥"
    "輻辐兇凶劃划匯汇嘆叹墾垦壟垄擋挡擠挤攤摊攪搅敵敌斃毙暈晕櫃柜殼壳氫氢滲渗溝沟濾滤"
    "烴烃燼烬琺珐痺痹瘍疡礬矾矽硅稈秆穫获筧笕篩筛簽签籃篮緩缓縫缝繩绳罈坛臟脏蕪芜薑姜"
    "蘆芦蝕蚀襯衬誘诱謹谨豎竖贓赃趲趱蹤踪軸轴輥辊轎轿鉀钾鈉钠鉻铬銻锑鋅锌錳锰鎳镍鎘镉"
    "鐳镭鑽钻閥阀閘闸隸隶雜杂韋韦頹颓颳刮餵喂驢驴鱗鳞鹼碱黴霉"
)
TABLE = str.maketrans({_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS) - 1, 2)})


@lru_cache(maxsize=1)
def _opencc():
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # noqa: BLE001 - missing package or its data: use the table
        return None


def to_simplified(text: str) -> str:
    converter = _opencc()
    if converter is not None and text:
        try:
            return converter.convert(text).translate(TABLE)
        except Exception:  # noqa: BLE001 - never let the converter break a parse
            pass
    return text.translate(TABLE)


def looks_traditional(text: str, threshold: int = 3) -> bool:
    """True when the text uses at least ``threshold`` distinct traditional-only characters."""
    hits = {c for c in text if TABLE.get(ord(c), c) != c}
    return len(hits) >= threshold
