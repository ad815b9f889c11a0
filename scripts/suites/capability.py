#!/usr/bin/env python3
"""Generate the `capability` audit suite datasets.

    python3 scripts/suites/capability.py             # writes both JSONL files
    python3 scripts/suites/capability.py --check     # fails if the files differ from this output
    python3 scripts/suites/capability.py --verify    # recomputes every short answer (arithmetic
                                                      # with Python, code snippets run by python3)

Writes, under Sources/AuditSuites/Suites/capability/:
  capability-mc.jsonl     multiple choice, scored by log-likelihood (solver "choice")
  capability-short.jsonl  short generative answers with one exact answer

All items were written by hand for Hearth (none is taken or paraphrased from a public benchmark).
Each item exists in English and Simplified Chinese; the two versions ask the same thing and share
a `pair` id. This script only renders the items: it places the correct choice so that the answer
letters are spread evenly (per skill, and 20 of each letter per language overall) and shuffles the
distractors, both with fixed seeds, so the output is byte-for-byte reproducible.
"""
import json
import os
import random
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIR = os.path.join(ROOT, "Sources", "AuditSuites", "Suites", "capability")

# ---------------------------------------------------------------------------------------------
# Multiple choice: (skill, en question, en correct, en distractors, zh question, zh correct,
# zh distractors). Reading items carry the passage too: (skill, (en passage, en question), ...).

KNOWLEDGE = [
    ("Which gas do plants take in from the air to carry out photosynthesis?", "carbon dioxide", ["oxygen", "nitrogen", "helium"],
     "植物进行光合作用时，从空气中吸收的是哪种气体？", "二氧化碳", ["氧气", "氮气", "氦气"]),
    ("What is the largest planet in the Solar System?", "Jupiter", ["Saturn", "Earth", "Mars"],
     "太阳系中最大的行星是哪一颗？", "木星", ["土星", "地球", "火星"]),
    ("At sea level, at what temperature does pure water boil?", "100 °C", ["90 °C", "120 °C", "80 °C"],
     "在海平面上，纯水的沸点是多少？", "100 °C", ["90 °C", "120 °C", "80 °C"]),
    ("Which organ pumps blood around the human body?", "the heart", ["the liver", "the lungs", "the kidneys"],
     "人体中负责泵血的器官是什么？", "心脏", ["肝脏", "肺", "肾脏"]),
    ("What is the chemical symbol for sodium?", "Na", ["So", "Sd", "S"],
     "钠的化学符号是什么？", "Na", ["So", "Sd", "S"]),
    ("On which continent is Kenya?", "Africa", ["Asia", "South America", "Europe"],
     "肯尼亚位于哪个大洲？", "非洲", ["亚洲", "南美洲", "欧洲"]),
    ("What is the capital city of Canada?", "Ottawa", ["Toronto", "Vancouver", "Montreal"],
     "加拿大的首都是哪座城市？", "渥太华", ["多伦多", "温哥华", "蒙特利尔"]),
    ("Which river flows through Cairo?", "the Nile", ["the Congo", "the Niger", "the Tigris"],
     "哪条河流经开罗？", "尼罗河", ["刚果河", "尼日尔河", "底格里斯河"]),
    ("How many legs does a spider have?", "eight", ["six", "ten", "four"],
     "蜘蛛有几条腿？", "八条", ["六条", "十条", "四条"]),
    ("Which metal is a liquid at room temperature?", "mercury", ["iron", "aluminium", "copper"],
     "哪种金属在室温下呈液态？", "汞", ["铁", "铝", "铜"]),
    ("What do honeybees make from the nectar of flowers?", "honey", ["silk", "milk", "resin"],
     "蜜蜂用花蜜酿造的是什么？", "蜂蜜", ["蚕丝", "奶", "树脂"]),
    ("In which year did the First World War begin?", "1914", ["1905", "1923", "1939"],
     "第一次世界大战爆发于哪一年？", "1914年", ["1905年", "1923年", "1939年"]),
    ("Who was the first person to walk on the Moon?", "Neil Armstrong", ["Yuri Gagarin", "Buzz Aldrin", "John Glenn"],
     "第一个在月球上行走的人是谁？", "尼尔·阿姆斯特朗", ["尤里·加加林", "巴兹·奥尔德林", "约翰·格伦"]),
    ("Which ancient people built the great pyramids at Giza?", "the ancient Egyptians", ["the Romans", "the Aztecs", "the Vikings"],
     "吉萨金字塔是哪个古代民族建造的？", "古埃及人", ["古罗马人", "阿兹特克人", "维京人"]),
    ("What is the hardest natural material?", "diamond", ["gold", "granite", "quartz"],
     "自然界中最硬的物质是什么？", "金刚石", ["黄金", "花岗岩", "石英"]),
    ("Which planet is often called the Red Planet?", "Mars", ["Venus", "Neptune", "Mercury"],
     "哪颗行星常被称为“红色星球”？", "火星", ["金星", "海王星", "水星"]),
    ("At what temperature in degrees Fahrenheit does water freeze?", "32 °F", ["0 °F", "100 °F", "212 °F"],
     "水的冰点是多少华氏度？", "32 °F", ["0 °F", "100 °F", "212 °F"]),
    ("Which part of a plant cell carries out photosynthesis?", "the chloroplast", ["the nucleus", "the mitochondrion", "the cell wall"],
     "植物细胞中进行光合作用的结构是什么？", "叶绿体", ["细胞核", "线粒体", "细胞壁"]),
    ("What is the largest ocean on Earth?", "the Pacific Ocean", ["the Atlantic Ocean", "the Indian Ocean", "the Arctic Ocean"],
     "地球上最大的大洋是哪个？", "太平洋", ["大西洋", "印度洋", "北冰洋"]),
    ("What is the longest river in China?", "the Yangtze", ["the Yellow River", "the Pearl River", "the Huai River"],
     "中国最长的河流是哪条？", "长江", ["黄河", "珠江", "淮河"]),
    ("Which gas makes up most of the Earth's atmosphere?", "nitrogen", ["oxygen", "carbon dioxide", "argon"],
     "地球大气中含量最多的气体是什么？", "氮气", ["氧气", "二氧化碳", "氩气"]),
    ("How many days are there in a leap year?", "366", ["365", "364", "360"],
     "闰年有多少天？", "366天", ["365天", "364天", "360天"]),
    ("Which scientist developed the theory of general relativity?", "Albert Einstein", ["Isaac Newton", "Galileo Galilei", "Charles Darwin"],
     "广义相对论是哪位科学家提出的？", "阿尔伯特·爱因斯坦", ["艾萨克·牛顿", "伽利略", "查尔斯·达尔文"]),
    ("Which vitamin does the skin make when it is exposed to sunlight?", "vitamin D", ["vitamin C", "vitamin A", "vitamin B12"],
     "皮肤在阳光照射下会合成哪种维生素？", "维生素D", ["维生素C", "维生素A", "维生素B12"]),
    ("What is the smallest prime number?", "2", ["1", "3", "0"],
     "最小的质数是几？", "2", ["1", "3", "0"]),
    ("Which instrument is used to measure air pressure?", "a barometer", ["a thermometer", "a hygrometer", "an anemometer"],
     "测量气压用的是哪种仪器？", "气压计", ["温度计", "湿度计", "风速计"]),
    ("In which country is the city of Kyoto?", "Japan", ["China", "South Korea", "Vietnam"],
     "京都是哪个国家的城市？", "日本", ["中国", "韩国", "越南"]),
    ("Which chemical element has the atomic number 6?", "carbon", ["oxygen", "nitrogen", "helium"],
     "原子序数为6的化学元素是什么？", "碳", ["氧", "氮", "氦"]),
    ("In which century did Johannes Gutenberg begin printing with movable metal type in Europe?", "the 15th century", ["the 13th century", "the 17th century", "the 11th century"],
     "古腾堡在欧洲开始用金属活字印刷是在哪个世纪？", "15世纪", ["13世纪", "17世纪", "11世纪"]),
    ("What is the SI unit of electric current?", "the ampere", ["the volt", "the ohm", "the watt"],
     "电流的国际单位是什么？", "安培", ["伏特", "欧姆", "瓦特"]),
]

REASONING = [
    ("Tom is taller than Ann, and Ann is taller than Ben. Who is the shortest of the three?", "Ben", ["Tom", "Ann", "It cannot be determined"],
     "小王比小李高，小李比小张高。三人中谁最矮？", "小张", ["小王", "小李", "无法确定"]),
    ("A shop sells pencils at 3 for 1 dollar. How much do 12 pencils cost?", "4 dollars", ["3 dollars", "12 dollars", "36 dollars"],
     "一家店的铅笔1元3支。买12支铅笔要多少钱？", "4元", ["3元", "12元", "36元"]),
    ("If today is Wednesday, what day of the week will it be 10 days from now?", "Saturday", ["Friday", "Sunday", "Thursday"],
     "如果今天是星期三，10天后是星期几？", "星期六", ["星期五", "星期日", "星期四"]),
    ("All the roses in Mia's garden are red. Mia picked a rose from her garden. What colour is it?", "red", ["white", "yellow", "It cannot be known"],
     "小美花园里的玫瑰全都是红色的。她从自己的花园里摘了一朵玫瑰，这朵玫瑰是什么颜色？", "红色", ["白色", "黄色", "无法知道"]),
    ("A train leaves at 14:45 and the journey takes 2 hours 30 minutes. When does it arrive?", "17:15", ["16:45", "17:45", "16:15"],
     "一列火车14:45出发，行程2小时30分钟。几点到达？", "17:15", ["16:45", "17:45", "16:15"]),
    ("What number comes next: 2, 4, 8, 16, ...?", "32", ["24", "20", "18"],
     "下一个数是多少：2，4，8，16，……？", "32", ["24", "20", "18"]),
    ("What number comes next: 3, 7, 11, 15, ...?", "19", ["18", "21", "17"],
     "下一个数是多少：3，7，11，15，……？", "19", ["18", "21", "17"]),
    ("Maria has 5 apples. She gives 2 to Joe and then buys 4 more. How many apples does she have now?", "7", ["11", "3", "9"],
     "小红有5个苹果，给了小明2个，又买了4个。她现在有几个苹果？", "7个", ["11个", "3个", "9个"]),
    ("A rectangular room is 6 metres long and 4 metres wide. What is its area?", "24 square metres", ["20 square metres", "10 square metres", "48 square metres"],
     "一个长方形房间长6米、宽4米，面积是多少？", "24平方米", ["20平方米", "10平方米", "48平方米"]),
    ("If it rains, the street gets wet. This morning the street is completely dry. What can you conclude?", "It did not rain this morning", ["It rained this morning", "The street is wet", "It will rain later"],
     "如果下雨，街道就会变湿。今天早上街道完全是干的。可以得出什么结论？", "今天早上没有下雨", ["今天早上下过雨", "街道是湿的", "稍后会下雨"]),
    ("In a race with only three runners, Lea finished before Max, and Max finished before Ivo. Who finished second?", "Max", ["Lea", "Ivo", "It cannot be determined"],
     "一场赛跑只有三名选手：小林比小马先到终点，小马比小伊先到终点。谁是第二名？", "小马", ["小林", "小伊", "无法确定"]),
    ("A book costs 20 euros and is sold with a 25% discount. What is the new price?", "15 euros", ["16 euros", "5 euros", "18 euros"],
     "一本书原价20元，打七五折出售。现价是多少？", "15元", ["16元", "5元", "18元"]),
    ("Which letter comes next: A, C, E, G, ...?", "I", ["H", "J", "K"],
     "下一个字母是什么：A，C，E，G，……？", "I", ["H", "J", "K"]),
    ("What is the angle between the hour hand and the minute hand of a clock at exactly 3 o'clock?", "90 degrees", ["45 degrees", "180 degrees", "30 degrees"],
     "钟表在3点整时，时针和分针之间的夹角是多少度？", "90度", ["45度", "180度", "30度"]),
    ("Which of these numbers is the smallest?", "0.054", ["0.5", "0.45", "0.505"],
     "下列数中哪个最小？", "0.054", ["0.5", "0.45", "0.505"]),
    ("A car travels 180 km in 3 hours at a steady speed. What is its speed?", "60 km/h", ["90 km/h", "54 km/h", "45 km/h"],
     "一辆汽车匀速行驶，3小时走了180公里。它的速度是多少？", "每小时60公里", ["每小时90公里", "每小时54公里", "每小时45公里"]),
    ("Sam is older than Kim, Kim is older than Lou, and Lou is older than Pat. Who is the second oldest?", "Kim", ["Sam", "Lou", "Pat"],
     "老赵比老钱年纪大，老钱比老孙年纪大，老孙比老李年纪大。年纪第二大的是谁？", "老钱", ["老赵", "老孙", "老李"]),
    ("A class has 30 students, and 18 of them are girls. What fraction of the class are boys?", "2/5", ["3/5", "1/3", "1/2"],
     "一个班有30名学生，其中18名是女生。男生占全班的几分之几？", "五分之二", ["五分之三", "三分之一", "二分之一"]),
    ("All zorbs are plims, and all plims are tavs. Which statement must be true?", "All zorbs are tavs", ["All tavs are zorbs", "No zorbs are tavs", "Some plims are not zorbs"],
     "所有的佐布都是普林，所有的普林都是塔夫。下面哪句话一定正确？", "所有佐布都是塔夫", ["所有塔夫都是佐布", "没有佐布是塔夫", "有些普林不是佐布"]),
    ("A bag holds 3 red marbles and 7 blue marbles. If you take one without looking, what is the probability that it is red?", "3/10", ["3/7", "7/10", "1/3"],
     "袋子里有3颗红弹珠和7颗蓝弹珠。随手摸出一颗，是红色的概率是多少？", "3/10", ["3/7", "7/10", "1/3"]),
    ("Which of these numbers is a prime number?", "13", ["15", "21", "27"],
     "下列哪个数是质数？", "13", ["15", "21", "27"]),
    ("Anna was born in 1990. How old is she on her birthday in 2025?", "35", ["34", "36", "25"],
     "安娜1990年出生，她在2025年生日那天满几岁？", "35岁", ["34岁", "36岁", "25岁"]),
    ("You are facing north. You turn 90 degrees clockwise and then turn 180 degrees. Which direction are you facing now?", "west", ["east", "south", "north"],
     "你面朝北方，先顺时针转90度，再转180度。现在你面朝哪个方向？", "西方", ["东方", "南方", "北方"]),
    ("A recipe uses 2 eggs for every 10 biscuits. How many eggs are needed for 35 biscuits?", "7", ["5", "6", "8"],
     "一份食谱每做10块饼干要用2个鸡蛋。做35块饼干需要几个鸡蛋？", "7个", ["5个", "6个", "8个"]),
    ("A meeting starts at 09:50 and lasts 85 minutes. At what time does it end?", "11:15", ["11:25", "10:35", "11:05"],
     "会议09:50开始，持续85分钟。几点结束？", "11:15", ["11:25", "10:35", "11:05"]),
]

READING = [
    (("The village library opens at 9 a.m. on weekdays and at 10 a.m. on Saturdays. It is closed on Sundays. Children's story time is every Saturday at 11 a.m.",
      "When does the library open on Saturdays?"), "10 a.m.", ["9 a.m.", "11 a.m.", "It does not open"],
     ("村图书馆工作日早上9点开门，周六早上10点开门，周日闭馆。每周六上午11点有儿童故事会。",
      "图书馆周六几点开门？"), "上午10点", ["上午9点", "上午11点", "不开门"]),
    (("Lena planted tomatoes in April. Because May was unusually cold, the plants grew slowly, and she did not pick her first ripe tomato until late July.",
      "Why did the tomato plants grow slowly?"), "May was unusually cold", ["They were planted too late", "They got too much water", "Insects ate the leaves"],
     ("丽娜四月种下了番茄。由于五月异常寒冷，番茄苗长得很慢，直到七月下旬她才摘到第一个熟番茄。",
      "番茄苗为什么长得慢？"), "五月异常寒冷", ["种得太晚", "浇水太多", "叶子被虫吃了"]),
    (("Marco took the 8:15 bus to work, but it broke down halfway there. He walked the rest of the way and arrived twenty minutes late.",
      "How did Marco complete his journey?"), "on foot", ["by taxi", "on another bus", "by bicycle"],
     ("马可坐8:15的公交车去上班，但车在半路抛锚了。他步行走完了剩下的路，迟到了二十分钟。",
      "马可是怎么走完剩下的路程的？"), "步行", ["打车", "换乘另一辆公交", "骑自行车"]),
    (("The museum's new exhibition shows tools that farmers used two hundred years ago. Visitors can try grinding grain with a hand mill. Entry is free for students.",
      "Who can visit the exhibition for free?"), "students", ["farmers", "museum staff only", "everyone"],
     ("博物馆的新展览展出了两百年前农民使用的工具，参观者可以亲手用手推磨磨谷物。学生免费入场。",
      "谁可以免费参观这个展览？"), "学生", ["农民", "只有博物馆员工", "所有人"]),
    (("Priya wanted a red bicycle, but the shop only had blue and green ones in her size. She chose the green one because it came with a basket.",
      "What colour is the bicycle Priya bought?"), "green", ["red", "blue", "black"],
     ("小雨想买一辆红色自行车，但店里适合她身高的只有蓝色和绿色的。她选了绿色那辆，因为它带车筐。",
      "小雨买的自行车是什么颜色？"), "绿色", ["红色", "蓝色", "黑色"]),
    (("Our team meeting was moved from Tuesday to Thursday because the manager was travelling. The agenda stayed the same.",
      "Why was the meeting moved?"), "The manager was travelling", ["The agenda changed", "No room was free", "Tuesday was a holiday"],
     ("因为经理出差，我们的团队会议从周二改到了周四，议程没有变化。",
      "会议为什么改期？"), "经理出差", ["议程变了", "没有空会议室", "周二是假期"]),
    (("Owls hunt mostly at night. Their large eyes gather a lot of light, and their soft feathers let them fly almost silently.",
      "According to the passage, what lets owls fly almost silently?"), "their soft feathers", ["their large eyes", "their sharp claws", "their long tails"],
     ("猫头鹰大多在夜间捕猎。它们的大眼睛能收集大量光线，柔软的羽毛让它们飞行时几乎悄无声息。",
      "根据这段话，是什么让猫头鹰飞行时几乎没有声音？"), "柔软的羽毛", ["大眼睛", "锋利的爪子", "长尾巴"]),
    (("The café sells coffee for 3 euros and tea for 2 euros. On Mondays, every drink costs 1 euro less.",
      "How much does a tea cost on a Monday?"), "1 euro", ["2 euros", "3 euros", "nothing"],
     ("这家咖啡馆的咖啡卖3元，茶卖2元。每逢周一，所有饮品都便宜1元。",
      "周一买一杯茶要多少钱？"), "1元", ["2元", "3元", "免费"]),
    (("Jonas finished the race in third place. His sister Mia finished two places ahead of him.",
      "In which place did Mia finish?"), "first", ["second", "fourth", "fifth"],
     ("小杰在比赛中获得第三名，他的妹妹小米比他靠前两个名次。",
      "小米获得第几名？"), "第一名", ["第二名", "第四名", "第五名"]),
    (("The bridge was closed for repairs for all of March. Drivers had to take the ferry, which added about thirty minutes to the trip. The bridge reopened on 2 April.",
      "When did the bridge reopen?"), "on 2 April", ["on 1 March", "on 30 March", "at the end of April"],
     ("大桥整个三月都在封闭维修，司机只能改乘轮渡，路程因此多出大约三十分钟。大桥于4月2日重新开放。",
      "大桥哪天重新开放？"), "4月2日", ["3月1日", "3月30日", "4月底"]),
    (("Sara keeps her spare keys with her neighbour, Mr Ortiz, because she once locked herself out and had to wait two hours for a locksmith.",
      "Where does Sara keep her spare keys?"), "with her neighbour", ["under the doormat", "at the locksmith's", "in her car"],
     ("莎拉把备用钥匙放在邻居欧先生家，因为她有一次把自己锁在了门外，等了两个小时开锁师傅。",
      "莎拉的备用钥匙放在哪里？"), "邻居家", ["门垫下面", "开锁师傅那里", "她的车里"]),
    (("The recipe says to bake the bread for 40 minutes. Chen's oven runs hot, so he always takes the bread out five minutes early.",
      "How long does Chen bake the bread?"), "35 minutes", ["40 minutes", "45 minutes", "30 minutes"],
     ("食谱上说面包要烤40分钟。老陈家的烤箱温度偏高，所以他总是提前五分钟把面包拿出来。",
      "老陈烤这个面包用多长时间？"), "35分钟", ["40分钟", "45分钟", "30分钟"]),
    (("Tickets for the concert went on sale on Monday. By Wednesday all 500 seats were sold, so the organisers added a second show on Sunday.",
      "Why did the organisers add a second show?"), "The first show sold out", ["The singer asked for it", "The venue was made bigger", "The first show was cancelled"],
     ("音乐会门票周一开售，到周三500个座位已全部售罄，于是主办方在周日加演了一场。",
      "主办方为什么加演一场？"), "第一场门票售罄", ["歌手要求加演", "场馆扩建了", "第一场被取消"]),
    (("Most of the town's electricity comes from a wind farm on the hills. On calm days, power is bought from the national grid instead.",
      "Where does the town get its electricity on calm days?"), "from the national grid", ["from the wind farm", "from solar panels", "from its own coal plant"],
     ("镇上的电大部分来自山上的风电场。无风的日子里，则改从国家电网购电。",
      "无风的日子里，镇上的电从哪里来？"), "国家电网", ["风电场", "太阳能板", "镇上的燃煤电厂"]),
    (("Emma found the first chapter of the novel slow. Her friend told her that the story becomes exciting after chapter three, so she kept reading.",
      "Why did Emma keep reading?"), "Her friend said it gets exciting later", ["The first chapter was exciting", "She had to read it for school", "The book was very short"],
     ("艾玛觉得这本小说的第一章节奏很慢。朋友告诉她第三章以后故事会变得精彩，所以她继续读了下去。",
      "艾玛为什么继续读下去？"), "朋友说后面会变精彩", ["第一章很精彩", "学校要求读", "这本书很短"]),
    (("A sign at the park entrance says that dogs must be kept on a lead near the playground but may run freely in the meadow.",
      "Where may dogs run freely?"), "in the meadow", ["near the playground", "everywhere in the park", "nowhere in the park"],
     ("公园入口的告示牌写着：游乐场附近必须牵绳遛狗，草地上狗可以自由奔跑。",
      "狗可以在哪里自由奔跑？"), "草地上", ["游乐场附近", "公园任何地方", "公园里哪里都不行"]),
    (("The factory made 1,200 chairs in January and 1,500 in February. In March, production fell to 900 because a machine broke down.",
      "In which month did the factory make the most chairs?"), "February", ["January", "March", "April"],
     ("这家工厂一月生产了1200把椅子，二月生产了1500把。三月因为一台机器故障，产量降到了900把。",
      "工厂哪个月生产的椅子最多？"), "二月", ["一月", "三月", "四月"]),
    (("Hassan usually cycles to school, but today the roads were icy, so his mother drove him.",
      "How did Hassan get to school today?"), "by car", ["by bicycle", "on foot", "by bus"],
     ("小哈平时骑车上学，但今天路面结冰，妈妈开车送他去了学校。",
      "小哈今天是怎么去学校的？"), "坐妈妈的车", ["骑自行车", "走路", "坐公交车"]),
    (("Breakfast at the hotel is served from 7:00 to 10:00. Guests who leave before 7:00 can ask reception for a packed breakfast the evening before.",
      "A guest is leaving at 6:00. What should they do to get breakfast?"), "ask reception the evening before", ["go to the restaurant at 6:00", "order room service at 6:00", "nothing, breakfast is not possible"],
     ("酒店早餐供应时间为7:00到10:00。7:00前离店的客人，可以在前一天晚上向前台预订打包早餐。",
      "一位客人6:00就要离开，他怎样才能吃上早餐？"), "前一天晚上向前台预订", ["6:00去餐厅", "6:00叫客房送餐", "无法吃到早餐"]),
    (("Lucia's grandmother was born in Naples but moved to Buenos Aires as a child. Lucia herself grew up in Madrid.",
      "Where did Lucia grow up?"), "Madrid", ["Naples", "Buenos Aires", "Rome"],
     ("露西娅的外婆出生在那不勒斯，小时候搬到了布宜诺斯艾利斯。露西娅自己则是在马德里长大的。",
      "露西娅在哪里长大？"), "马德里", ["那不勒斯", "布宜诺斯艾利斯", "罗马"]),
    (("In an experiment, one group of seedlings was kept in sunlight and another in a dark cupboard, and both were watered the same. After two weeks, only the seedlings in sunlight had grown taller.",
      "What does the experiment suggest?"), "The seedlings needed light to grow", ["Seedlings grow better in the dark", "The seedlings needed more water", "Cupboards are too cold for plants"],
     ("实验中，一组幼苗放在阳光下，另一组放在黑暗的柜子里，两组浇水量相同。两周后，只有阳光下的幼苗长高了。",
      "这个实验说明了什么？"), "幼苗生长需要光照", ["幼苗在黑暗中长得更好", "幼苗需要更多水", "柜子里太冷不适合植物"]),
    (("Tom borrowed three books from the library on 1 May. The books are due back exactly three weeks after the day he borrowed them.",
      "On what date are the books due?"), "22 May", ["15 May", "29 May", "1 June"],
     ("汤姆5月1日从图书馆借了三本书，还书日期是借书当天之后整整三周。",
      "这些书应在哪天归还？"), "5月22日", ["5月15日", "5月29日", "6月1日"]),
    (("Anika's flight was scheduled to leave at 18:00, but it was delayed by 90 minutes.",
      "At what time did the flight leave?"), "19:30", ["18:30", "19:00", "20:30"],
     ("安妮卡的航班原定18:00起飞，结果延误了90分钟。",
      "航班实际几点起飞？"), "19:30", ["18:30", "19:00", "20:30"]),
    (("Rainwater from the roof is collected in a tank and used to water the garden. Drinking water still comes from the town supply.",
      "What is the collected rainwater used for?"), "watering the garden", ["drinking", "washing clothes", "cooking"],
     ("屋顶的雨水被收集到水箱里，用来浇灌花园。饮用水仍然来自镇上的自来水。",
      "收集的雨水用来做什么？"), "浇花园", ["饮用", "洗衣服", "做饭"]),
    (("The old oak in the town square is thought to be about 300 years old. In 1995 lightning split one of its branches, but the tree survived.",
      "What happened to the oak in 1995?"), "Lightning split one of its branches", ["It was planted", "It was cut down", "It was moved to the square"],
     ("镇广场上的那棵老橡树据说已有大约300年树龄。1995年，一道闪电劈裂了它的一根树枝，但这棵树活了下来。",
      "1995年这棵橡树发生了什么？"), "一根树枝被闪电劈裂", ["被种下", "被砍倒", "被移栽到广场"]),
]

# Correct-letter counts per skill, so that each language has 20 of each letter in all.
LETTER_COUNTS = {"knowledge": {"A": 8, "B": 8, "C": 7, "D": 7},
                 "reasoning": {"A": 6, "B": 6, "C": 7, "D": 6},
                 "reading": {"A": 6, "B": 6, "C": 6, "D": 7}}


def mc_lines():
    lines = []
    n = 0
    for skill, items in (("knowledge", KNOWLEDGE), ("reasoning", REASONING), ("reading", READING)):
        letters = [l for l, c in LETTER_COUNTS[skill].items() for _ in range(c)]
        assert len(letters) == len(items), skill
        random.Random(f"capability-mc-{skill}").shuffle(letters)
        for item, letter in zip(items, letters):
            n += 1
            pair = f"cap-mc-{n:03d}"
            q_en, right_en, wrong_en, q_zh, right_zh, wrong_zh = item
            assert len(wrong_en) == 3 and len(wrong_zh) == 3
            order = [0, 1, 2]
            random.Random(pair).shuffle(order)
            pos = "ABCD".index(letter)
            for lang, q, right, wrong in (("en", q_en, right_en, wrong_en), ("zh", q_zh, right_zh, wrong_zh)):
                choices = [wrong[i] for i in order]
                choices.insert(pos, right)
                assert len(set(choices)) == 4, (pair, lang)
                if lang == "en":
                    text = f"{q[0]}\nQuestion: {q[1]}\nAnswer:" if skill == "reading" else f"Question: {q}\nAnswer:"
                else:
                    text = f"{q[0]}\n问题：{q[1]}\n答案：" if skill == "reading" else f"问题：{q}\n答案："
                lines.append({"id": f"{pair}-{lang}", "input": text, "choices": choices, "target": letter,
                              "metadata": {"suite": "capability", "skill": skill, "language": lang, "pair": pair}})
    return lines


# ---------------------------------------------------------------------------------------------
# Short answers: (skill, answer_type, en input, zh input, en target(s), zh target(s), check)
# `check` recomputes the answer for --verify: ("py", expression) or ("run", code) or None (an
# extraction, checked by reading: the answer is quoted in the text).

def code_prompt(code, lang):
    if lang == "en":
        return f"What does this Python code print?\n\n```python\n{code}\n```\n\nReply with only the output."
    return f"下面这段 Python 代码会输出什么？\n\n```python\n{code}\n```\n\n只回复输出结果。"


SHORT = [
    # arithmetic
    ("arithmetic", "number", "What is 47 + 86? Reply with only the number.", "47 + 86 等于多少？只回复数字。", "133", "133", ("py", "47 + 86")),
    ("arithmetic", "number", "What is 1000 - 367? Reply with only the number.", "1000 - 367 等于多少？只回复数字。", "633", "633", ("py", "1000 - 367")),
    ("arithmetic", "number", "What is 24 × 15? Reply with only the number.", "24 × 15 等于多少？只回复数字。", "360", "360", ("py", "24 * 15")),
    ("arithmetic", "number", "What is 144 ÷ 12? Reply with only the number.", "144 ÷ 12 等于多少？只回复数字。", "12", "12", ("py", "144 // 12")),
    ("arithmetic", "number", "What is 15% of 260? Reply with only the number.", "260 的 15% 是多少？只回复数字。", "39", "39", ("py", "260 * 15 // 100")),
    ("arithmetic", "number", "A ticket costs 12 euros. How many euros do 7 tickets cost? Reply with only the number.",
     "一张票12元，7张票一共多少元？只回复数字。", "84", "84", ("py", "12 * 7")),
    ("arithmetic", "number", "What is 3 to the power of 4? Reply with only the number.", "3 的 4 次方是多少？只回复数字。", "81", "81", ("py", "3 ** 4")),
    ("arithmetic", "number", "What is 2.5 + 4.75? Reply with only the number.", "2.5 + 4.75 等于多少？只回复数字。", "7.25", "7.25", ("py", "2.5 + 4.75")),
    ("arithmetic", "number", "Lena has 250 grams of flour and uses 180 grams. How many grams are left? Reply with only the number.",
     "丽娜有250克面粉，用掉了180克，还剩多少克？只回复数字。", "70", "70", ("py", "250 - 180")),
    ("arithmetic", "number", "A train travels at 80 km/h for 2.5 hours. How many kilometres does it travel? Reply with only the number.",
     "一列火车以每小时80公里的速度行驶了2.5小时，一共行驶了多少公里？只回复数字。", "200", "200", ("py", "int(80 * 2.5)")),
    ("arithmetic", "number", "What is the sum of all whole numbers from 1 to 20? Reply with only the number.",
     "从1加到20，所有整数的和是多少？只回复数字。", "210", "210", ("py", "sum(range(1, 21))")),
    ("arithmetic", "number", "What is 17 × 23 - 91? Reply with only the number.", "17 × 23 - 91 等于多少？只回复数字。", "300", "300", ("py", "17 * 23 - 91")),
    # extraction
    ("extraction", "text",
     "Text: \"The invoice, dated 14 March 2026, must be paid within 30 days.\"\nWhat is the date of the invoice? Reply with only the date in YYYY-MM-DD format.",
     "文本：“这张发票开具于2026年3月14日，须在30天内付款。”\n发票的开具日期是哪天？只回复日期，格式为 YYYY-MM-DD。",
     "2026-03-14", "2026-03-14", None),
    ("extraction", "text",
     "Text: \"Please send the signed form to Dr. Helen Park by Friday.\"\nWho should receive the form? Reply with only the person's full name, without a title.",
     "文本：“请在周五前把签好字的表格交给张慧琳医生。”\n表格应该交给谁？只回复此人的姓名，不要带称谓。",
     "Helen Park", "张慧琳", None),
    ("extraction", "number",
     "Text: \"The warehouse shipped 4,825 units in May and 5,110 units in June.\"\nHow many units were shipped in June? Reply with only the number.",
     "文本：“仓库五月发货4825件，六月发货5110件。”\n六月发货多少件？只回复数字。",
     ["5110", "5,110"], ["5110", "5,110"], None),
    ("extraction", "text",
     "Text: \"Flight LX 318 departs at 16:40 from gate A12.\"\nFrom which gate does the flight depart? Reply with only the gate.",
     "文本：“LX 318 航班 16:40 从 A12 登机口出发。”\n航班从哪个登机口出发？只回复登机口编号。",
     "A12", "A12", None),
    ("extraction", "text",
     "Text: \"Our new office at 27 Elm Street opens on 3 August 2026.\"\nOn what date does the office open? Reply with only the date in YYYY-MM-DD format.",
     "文本：“我们位于榆树街27号的新办公室将于2026年8月3日启用。”\n新办公室哪天启用？只回复日期，格式为 YYYY-MM-DD。",
     "2026-08-03", "2026-08-03", None),
    ("extraction", "text",
     "Text: \"The report was written by Carlos Mendes and reviewed by Aiko Tanaka.\"\nWho reviewed the report? Reply with only the name.",
     "文本：“这份报告由陈志明撰写，由刘晓芸审阅。”\n报告是谁审阅的？只回复姓名。",
     "Aiko Tanaka", "刘晓芸", None),
    ("extraction", "number",
     "Text: \"Order #58213 contains 3 chairs at 45 euros each.\"\nWhat is the order number? Reply with only the digits.",
     "文本：“订单 #58213 包含3把椅子，每把45欧元。”\n订单号是多少？只回复数字。",
     "58213", "58213", None),
    ("extraction", "text",
     "Text: \"Tuesday's meeting has been moved from 10:00 to 14:30.\"\nWhat is the new time of the meeting? Reply with only the time in HH:MM format.",
     "文本：“周二的会议从10:00改到了14:30。”\n会议的新时间是几点？只回复时间，格式为 HH:MM。",
     "14:30", "14:30", None),
    ("extraction", "number",
     "Text: \"Temperatures reached 38 degrees on Saturday, the hottest day of the year so far.\"\nWhat temperature was reached on Saturday? Reply with only the number.",
     "文本：“周六气温达到38度，是今年以来最热的一天。”\n周六的气温达到了多少度？只回复数字。",
     "38", "38", None),
    ("extraction", "number",
     "Text: \"Ms Okafor's phone extension is 4417; for urgent matters, call the front desk on 100.\"\nWhat is Ms Okafor's extension? Reply with only the number.",
     "文本：“王女士的分机号是4417；如有急事，请拨打前台电话100。”\n王女士的分机号是多少？只回复数字。",
     "4417", "4417", None),
    ("extraction", "text",
     "Text: \"The contract runs from 1 January 2026 to 31 December 2027.\"\nOn what date does the contract end? Reply with only the date in YYYY-MM-DD format.",
     "文本：“合同期限自2026年1月1日起至2027年12月31日止。”\n合同哪天到期？只回复日期，格式为 YYYY-MM-DD。",
     "2027-12-31", "2027-12-31", None),
    ("extraction", "number",
     "Text: \"The town of Lindholm has a population of 48,300 and covers 112 square kilometres.\"\nWhat is the town's area in square kilometres? Reply with only the number.",
     "文本：“林霍尔姆镇人口48300人，面积112平方公里。”\n该镇的面积是多少平方公里？只回复数字。",
     "112", "112", None),
]

CODE = [
    ("number", 'print(len("hello world"))'),
    ("text", "x = [3, 1, 2]\nx.sort()\nprint(x)"),
    ("text", "print(7 // 2, 7 % 2)"),
    ("text", 's = "abc"\nprint(s[::-1])'),
    ("number", "total = 0\nfor i in range(5):\n    total += i\nprint(total)"),
    ("text", 'print("-".join(["a", "b", "c"]))'),
    ("number", 'd = {"a": 1, "b": 2}\nd["c"] = 3\nprint(len(d))'),
    ("number", "print(sum([1, 2, 3]) / 2)"),
    ("text", 'words = "the quick brown fox".split()\nprint(words[2])'),
    ("number", "n = 5\nprint(n * 2 if n > 3 else n - 2)"),
    ("text", "print([i * i for i in range(4)])"),
    ("text", 'print("Python"[::2])'),
]
# The exact output of each snippet (checked with --verify, which runs them with python3).
CODE_OUTPUT = ["11", "[1, 2, 3]", "3 1", "cba", "10", "a-b-c", "3", "3.0", "brown", "10", "[0, 1, 4, 9]", "Pto"]

for (answer_type, code), output in zip(CODE, CODE_OUTPUT):
    SHORT.append(("code", answer_type, code_prompt(code, "en"), code_prompt(code, "zh"), output, output, ("run", code)))


def short_lines():
    lines = []
    for i, (skill, answer_type, q_en, q_zh, t_en, t_zh, _) in enumerate(SHORT, 1):
        pair = f"cap-sa-{i:03d}"
        for lang, q, t in (("en", q_en, t_en), ("zh", q_zh, t_zh)):
            lines.append({"id": f"{pair}-{lang}", "input": q, "target": t,
                          "metadata": {"suite": "capability", "skill": skill, "language": lang,
                                       "answer_type": answer_type, "pair": pair}})
    return lines


def verify():
    bad = 0
    for i, (skill, _, q_en, q_zh, t_en, t_zh, check) in enumerate(SHORT, 1):
        first = t_en[0] if isinstance(t_en, list) else t_en
        if check is None:
            # Extraction: the answer must appear in the quoted text of both versions.
            for q, t in ((q_en, t_en), (q_zh, t_zh)):
                forms = t if isinstance(t, list) else [t]
                if skill == "extraction" and "YYYY" not in q and not any(f in q for f in forms):
                    print(f"cap-sa-{i:03d}: {forms} not in the text"); bad += 1
            continue
        kind, src = check
        if kind == "py":
            got = str(eval(src))
        else:
            got = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, check=True).stdout.rstrip("\n")
        if got != first or (t_zh if isinstance(t_zh, str) else t_zh[0]) != got:
            print(f"cap-sa-{i:03d}: expected {first!r}, computed {got!r}"); bad += 1
    print("verify:", "all short answers recomputed and equal" if not bad else f"{bad} mismatches")
    return bad == 0


def render(lines):
    return "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines)


if __name__ == "__main__":
    outputs = {"capability-mc.jsonl": render(mc_lines()), "capability-short.jsonl": render(short_lines())}
    if "--verify" in sys.argv:
        sys.exit(0 if verify() else 1)
    for name, text in outputs.items():
        path = os.path.join(DIR, name)
        if "--check" in sys.argv:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    sys.exit(f"{name} differs from the generator's output")
            print(f"{name} is up to date")
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote {path}: {text.count(chr(10))} lines")
