"""Fixed reference texts and cue lists used for calibration.

``NON_ANSWERS`` are generic kinds of interview talk that answer no behavioural
question (hobbies, background, pay, plans, small talk). They are the "null"
side of the relevance measure: an answer whose sentences sit closer to these
than to the question, the competency and its anchors is treated as off-topic.
They are written as categories, not copied from any evaluation answer.
"""

NON_ANSWERS = [
    # zh
    "我业余时间喜欢看书、听音乐和爬山。",
    "我出生在一个普通的家庭，父母都是老师。",
    "我是某某大学毕业的，专业是会计。",
    "我希望月薪能在两万元左右，还有五险一金。",
    "我很看好贵公司的发展前景和企业文化。",
    "我的长期目标是成为行业专家，五年后做到总监。",
    "我性格开朗，优点是细心，缺点是有点急躁。",
    "今天路上有点堵车，不过还好没有迟到。",
    "周末我一般在家陪孩子，或者和朋友聚会。",
    "我目前住在城东，搬家也可以考虑。",
    "我之所以换工作，是因为原单位发展空间有限。",
    "这个问题我没有想过，我也不知道怎么回答。",
    # en
    "In my spare time I enjoy reading, music and hiking.",
    "I grew up in an ordinary family and both my parents are teachers.",
    "I graduated in accounting from a university in my province.",
    "I am hoping for a salary of around twenty thousand plus benefits.",
    "I really admire your company's culture and growth prospects.",
    "My long-term goal is to become an industry expert and a director in five years.",
    "I am outgoing; my strength is attention to detail and my weakness is impatience.",
    "The traffic was heavy this morning but luckily I was not late.",
    "At weekends I usually spend time with my kids or meet friends.",
    "I live on the east side of the city at the moment but I could move.",
    "I want to change jobs because there is little room to grow where I am.",
    "I have never thought about that question and I am not sure what to say.",
]
