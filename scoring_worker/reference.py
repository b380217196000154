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


# The "Great Eight" competency factors (Bartram 2005, "The Great Eight
# Competencies: a criterion-centric approach to validation", J. Applied
# Psychology 90(6); the SHL Universal Competency Framework), one plain behaviour
# description each, in both languages. They are the *contrast* for deciding
# what a sentence is about: a sentence counts as evidence for competency X only
# when it is closer to X's anchors and description than to every factor that
# is not X itself (factors close to X are left out of X's contrast set).
GREAT_EIGHT = {
    "leading_deciding": [
        "做决定并承担责任，给团队设定方向和目标，分配任务，带领大家完成。",
        "Makes decisions and takes responsibility, sets direction and goals for the team, assigns "
        "tasks and leads people to deliver."],
    "supporting_cooperating": [
        "支持和配合同事，尊重别人的意见，团队合作，帮助队友完成工作。",
        "Supports and cooperates with colleagues, respects other views, works as a team and helps "
        "teammates get their work done."],
    "interacting_presenting": [
        "与人沟通交流，倾听对方，清楚地表达和解释，说服和影响别人。",
        "Communicates with people, listens to them, explains and presents clearly, persuades and "
        "influences others."],
    "analysing_interpreting": [
        "收集和分析数据，找出问题的原因，运用专业技术知识解决技术问题。",
        "Gathers and analyses data, finds the cause of a problem, applies technical expertise to "
        "solve technical problems."],
    "creating_conceptualising": [
        "学习新知识，提出新想法和创新的方法，设计新的方案，推动变革。",
        "Learns new things, comes up with new ideas and innovative approaches, designs new "
        "solutions and drives change."],
    "organising_executing": [
        "制定计划，安排进度，按流程和标准执行，按时保质完成任务和项目。",
        "Plans the work, schedules it, follows procedures and standards, delivers tasks and "
        "projects on time and to quality."],
    "adapting_coping": [
        "适应变化，在压力和挫折下保持冷静，调整自己的方式继续前进。",
        "Adapts to change, stays calm under pressure and setbacks, adjusts their approach and "
        "keeps going."],
    "enterprising_performing": [
        "追求业绩目标，提高效率，降低成本，增加收入，取得可衡量的成果。",
        "Pursues performance targets, improves efficiency, cuts costs, grows revenue and achieves "
        "measurable results."],
}
