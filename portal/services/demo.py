"""Demo content: three open jobs with their competency models, question banks and
interview stages, six interviewers, a training catalogue, one account per role,
and a little history for the demo candidate and employee.

Everything is plain data first (module-level literals other code and tests may
read), then ``load_demo(session)`` writes it once. Never imports reflex.

Accounts get no password and no TOTP seed: the accounts flow (invitation or
password reset) sets them, so a demo install has no known credentials.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import Session, select

from portal import models
from portal.services.settings import ROOT

DEMO_MARKER_KEY = "demo_loaded"
DEMO_EMAIL_DOMAIN = "demo.talent.local"
ASSETS_DIR = ROOT / "assets"


def _lines(*lines: str) -> str:
    return "\n".join(lines)


# ---------------------------------------------------------------- competency library
#
# One definition per key, shared by every job that uses the competency, so that
# scores, courses and progress line up across jobs. A job may override
# "keywords" where its answers use other words (see JOBS below).

COMPETENCIES: dict[str, dict] = {
    "communication": {
        "name_zh": "沟通能力",
        "name_en": "Communication",
        "description_zh": "清晰、有条理地表达观点，善于倾听并确认对方诉求，"
        "能根据对象调整沟通方式，推动各方信息对齐。",
        "description_en": "Expresses ideas clearly and in a logical order, listens to and "
        "confirms what others need, adapts the message to the audience and keeps everyone aligned.",
        "keywords": ["倾听", "同步", "对齐", "反馈", "listen", "align", "clarify"],
        "anchors": {
            1: (
                "表达零散、缺少重点，常需对方追问才能说清；很少确认对方是否理解，进展同步不及时。",
                "Speaks in fragments without a clear point and needs repeated follow-up "
                "questions; rarely checks understanding and shares updates late.",
            ),
            3: (
                "能按“结论—原因—行动”的顺序把事情讲清楚，主动倾听并复述确认对方的关键诉求，"
                "重要进展能及时同步。",
                "Explains things in a conclusion, reason, action order; listens and paraphrases "
                "the other side's key needs; shares important progress on time.",
            ),
            5: (
                "面对不同层级和背景的对象都能调整表达方式，能在分歧中提炼共识、推动决策；"
                "沟通后有书面纪要和明确的跟进安排。",
                "Adapts the message to people of any level or background, distils common ground "
                "from disagreement and drives a decision; follows up with written minutes and "
                "clear next steps.",
            ),
        },
    },
    "customer_focus": {
        "name_zh": "客户导向",
        "name_en": "Customer Focus",
        "description_zh": "以为客户创造价值为出发点，深入理解客户的业务和真实需求，"
        "主动跟进，持续提升客户满意度，建立长期信任。",
        "description_en": "Starts from the value delivered to the customer, understands their "
        "business and real needs, follows up proactively and builds lasting trust.",
        "keywords": ["客户需求", "痛点", "回访", "满意度", "customer", "needs", "follow-up"],
        "anchors": {
            1: (
                "只被动回应客户提出的问题，对客户业务了解有限；问题处理完就结束，缺少回访。",
                "Only reacts to what the customer raises and knows little of their business; "
                "closes an issue without following up.",
            ),
            3: (
                "能通过提问挖掘客户表面诉求背后的真实需求，按约定时间回访，"
                "并把客户反馈传递给内部相关团队。",
                "Asks questions to uncover the real need behind a request, follows up when "
                "promised and passes feedback on to the right internal teams.",
            ),
            5: (
                "能站在客户业务目标的角度提出方案，提前识别风险并主动介入；"
                "客户愿意续约、扩大合作或主动推荐。",
                "Proposes solutions framed by the customer's business goals, spots risks early "
                "and steps in before they hurt; customers renew, expand or refer others.",
            ),
        },
    },
    "problem_solving": {
        "name_zh": "问题解决",
        "name_en": "Problem Solving",
        "description_zh": "面对复杂或模糊的问题，能拆解问题、找到根因，权衡方案后推动落地，"
        "并在事后复盘、沉淀经验。",
        "description_en": "Breaks down complex or ambiguous problems, finds the root cause, "
        "weighs the options, sees the chosen fix through and reviews it afterwards.",
        "keywords": ["根因", "拆解", "方案", "复盘", "root cause", "analyse", "trade-off"],
        "anchors": {
            1: (
                "遇到问题倾向于凭经验或直觉处理，容易停留在表面现象，同类问题反复出现。",
                "Handles problems by habit or gut feeling and stays at the symptoms; the same "
                "issue keeps coming back.",
            ),
            3: (
                "能把问题拆成几个部分，用事实和数据定位主要原因，"
                "比较两三个方案的利弊后选定并执行。",
                "Splits a problem into parts, uses facts and data to locate the main cause, "
                "compares two or three options and carries one out.",
            ),
            5: (
                "信息不完整时也能快速提出假设并验证，找到系统性根因；"
                "推动的方案从机制上避免问题再次发生，"
                "并把方法分享给团队。",
                "Forms and tests hypotheses quickly even with incomplete information, finds "
                "systemic causes, fixes them at the process level and teaches the method to "
                "others.",
            ),
        },
    },
    "teamwork": {
        "name_zh": "团队协作",
        "name_en": "Teamwork",
        "description_zh": "认同团队的共同目标，主动分享信息和资源，跨部门协作时能换位思考，"
        "建设性地处理分歧。",
        "description_en": "Commits to shared goals, shares information and resources, sees "
        "things from other teams' side and handles disagreement constructively.",
        "keywords": ["协作", "配合", "支持", "跨部门", "team", "collaborate", "support"],
        "anchors": {
            1: (
                "更关注个人任务，很少主动分享信息；与其他部门出现分歧时容易推诿或回避。",
                "Focuses on own tasks and seldom shares information; passes the blame or "
                "avoids the issue when teams disagree.",
            ),
            3: (
                "能按时完成自己负责的部分，主动帮助同事；跨部门协作时能讲清自己的诉求，"
                "也理解对方的难处。",
                "Delivers own part on time and offers help to colleagues; states own needs "
                "clearly in cross-team work and understands the other side's constraints.",
            ),
            5: (
                "能在跨团队项目中建立协作机制、明确分工，化解冲突，让各方愿意投入；"
                "把团队成果放在个人得失之前。",
                "Sets up roles and ways of working across teams, resolves conflict so that "
                "everyone commits, and puts the team result ahead of personal credit.",
            ),
        },
    },
    "learning_agility": {
        "name_zh": "学习敏锐度",
        "name_en": "Learning Agility",
        "description_zh": "对新知识、新领域保持好奇，能快速上手陌生的工作，"
        "善于从经验和反馈中学习并调整做法。",
        "description_en": "Stays curious about new knowledge and fields, gets up to speed on "
        "unfamiliar work quickly, and learns from experience and feedback.",
        "keywords": ["学习", "请教", "反馈", "总结", "learn", "feedback", "curious"],
        "anchors": {
            1: (
                "习惯沿用熟悉的方法，接触新领域时需要较多指导；对反馈的回应多停留在口头。",
                "Sticks to familiar methods and needs a lot of guidance in new areas; "
                "acknowledges feedback without acting on it.",
            ),
            3: (
                "能通过查资料、向他人请教，在较短时间内掌握新工具或新业务，并根据反馈调整做法。",
                "Picks up a new tool or business area in reasonable time by reading and asking "
                "others, and changes behaviour after feedback.",
            ),
            5: (
                "主动争取有挑战的任务，能很快形成自己的方法论；把经验整理成文档或分享出来，"
                "带动团队一起提升。",
                "Seeks stretch assignments and quickly builds a method of own; writes up or "
                "shares what was learned so the whole team improves.",
            ),
        },
    },
    "stress_resilience": {
        "name_zh": "抗压能力",
        "name_en": "Stress Resilience",
        "description_zh": "在高压、紧急或不确定的情况下保持情绪稳定，合理安排优先级，"
        "持续交付结果。",
        "description_en": "Stays composed under pressure, urgency or uncertainty, sets "
        "priorities sensibly and keeps delivering.",
        "keywords": ["压力", "冷静", "优先级", "情绪", "pressure", "calm", "prioritise"],
        "anchors": {
            1: (
                "压力下容易情绪化或慌乱，事情一多就顾此失彼，需要他人介入才能稳住局面。",
                "Becomes emotional or flustered under pressure, drops tasks when work piles up "
                "and needs others to step in.",
            ),
            3: (
                "面对紧急任务能保持冷静，先分清轻重缓急再行动，必要时及时求助，基本能按期交付。",
                "Stays calm with urgent work, sorts by priority before acting, asks for help "
                "when needed and mostly delivers on time.",
            ),
            5: (
                "在高压和不确定中依然发挥稳定，还能稳住团队和客户的情绪；事后分析压力来源，"
                "改进工作方式。",
                "Performs steadily in high-pressure, uncertain situations and calms the team "
                "and the customer; afterwards looks at what caused the pressure and works "
                "differently.",
            ),
        },
    },
    "product_sense": {
        "name_zh": "产品洞察",
        "name_en": "Product Sense",
        "description_zh": "从用户场景出发发现真实问题，判断需求的价值与优先级，"
        "用清晰的方案和体验标准推动产品落地。",
        "description_en": "Finds real problems in user scenarios, judges the value and priority "
        "of requirements, and turns them into clear solutions with a quality bar for the "
        "experience.",
        "keywords": ["用户场景", "需求", "优先级", "体验", "user", "MVP", "prioritise"],
        "anchors": {
            1: (
                "多是照搬用户或领导提出的需求，说不清需求背后的场景和价值，优先级依赖他人判断。",
                "Copies requests from users or managers as given, cannot explain the scenario "
                "or value behind them and relies on others to prioritise.",
            ),
            3: (
                "能通过用户访谈和数据还原使用场景，区分“用户想要的”和“用户需要的”，"
                "按明确的标准排定优先级。",
                "Reconstructs usage scenarios from interviews and data, separates what users "
                "ask for from what they need, and ranks requirements by explicit criteria.",
            ),
            5: (
                "能洞察用户尚未说出口的需求，提出有差异化的方案，用最小可行版本快速验证，"
                "并对体验和商业结果负责。",
                "Sees needs users have not voiced, proposes differentiated solutions, validates "
                "them fast with an MVP and owns both the experience and the business result.",
            ),
        },
    },
    "data_analysis": {
        "name_zh": "数据分析",
        "name_en": "Data Analysis",
        "description_zh": "能定义合适的指标，获取并清洗数据，运用恰当的分析方法得出结论，"
        "用数据支撑决策。",
        "description_en": "Defines the right metrics, gathers and cleans data, applies sound "
        "analysis and uses the findings to support decisions.",
        "keywords": ["数据", "指标", "漏斗", "转化率", "metrics", "SQL", "A/B test"],
        "anchors": {
            1: (
                "很少主动使用数据，结论多凭个人感觉；看报表时说不清数字变化的原因。",
                "Rarely uses data and draws conclusions from impressions; cannot explain why "
                "the numbers in a report moved.",
            ),
            3: (
                "能为目标定义核心指标，独立用 SQL 或表格工具完成分析，结论与数据一致，"
                "并能指导下一步行动。",
                "Defines core metrics for a goal, analyses data independently with SQL or "
                "spreadsheets, and reaches conclusions that match the data and guide next steps.",
            ),
            5: (
                "能设计实验和分析框架，识别数据偏差和口径问题，"
                "把分析结论转化为可执行的策略并跟踪效果。",
                "Designs experiments and analysis frameworks, spots bias and inconsistent "
                "metric definitions, turns findings into actionable strategy and tracks the "
                "effect.",
            ),
        },
    },
    "technical_depth": {
        "name_zh": "技术深度",
        "name_en": "Technical Depth",
        "description_zh": "对所用技术栈有扎实的理解，能设计可靠、可维护的系统，"
        "在性能、稳定性和成本之间做出合理取舍。",
        "description_en": "Understands the technology stack in depth, designs reliable and "
        "maintainable systems, and makes sound trade-offs between performance, stability and "
        "cost.",
        "keywords": ["架构", "性能", "稳定性", "缓存", "design", "scalability", "testing"],
        "anchors": {
            1: (
                "能在指导下完成功能开发，但对底层原理了解有限，排查问题主要靠反复试错。",
                "Builds features with guidance but knows little about how things work "
                "underneath; debugs mainly by trial and error.",
            ),
            3: (
                "能独立设计并实现中等复杂度的模块，理解关键组件的原理，代码有测试覆盖，"
                "能定位常见的性能和稳定性问题。",
                "Designs and builds modules of moderate complexity alone, understands the key "
                "components, covers code with tests and diagnoses common performance and "
                "stability issues.",
            ),
            5: (
                "能主导系统级架构设计，提前识别扩展性和可靠性风险，制定编码规范与技术标准，"
                "攻克团队里最棘手的技术难题。",
                "Leads system-level architecture, anticipates scalability and reliability "
                "risks, sets coding and engineering standards and solves the team's hardest "
                "technical problems.",
            ),
        },
    },
    "ownership": {
        "name_zh": "责任担当",
        "name_en": "Ownership",
        "description_zh": "把目标当成自己的事，主动承担职责范围内外的问题，对结果负责到底，"
        "不找借口。",
        "description_en": "Treats goals as one's own, takes on problems inside and beyond one's "
        "remit and sees results through without excuses.",
        "keywords": ["负责", "主动", "跟进", "结果", "ownership", "accountable", "deliver"],
        "anchors": {
            1: (
                "只完成明确分配的任务，遇到阻碍时等待别人解决；结果不理想时倾向于归咎外部原因。",
                "Does only what is explicitly assigned, waits for others when blocked, and "
                "blames outside factors when results fall short.",
            ),
            3: (
                "对自己负责的事情跟进到底，遇到阻碍主动协调资源，及早暴露风险，并为结果承担责任。",
                "Follows own work through to the end, pulls in resources when blocked, raises "
                "risks early and accepts responsibility for the outcome.",
            ),
            5: (
                "主动接手无人负责的关键问题，以终为始推动跨团队目标达成；失败时带头复盘，"
                "推动机制改进。",
                "Takes charge of important problems nobody owns, drives cross-team outcomes with "
                "the end in mind, and leads the post-mortem and process fixes after a failure.",
            ),
        },
    },
    "business_acumen": {
        "name_zh": "商业敏感度",
        "name_en": "Business Acumen",
        "description_zh": "理解行业、客户和公司的商业模式，能识别商机、算清投入产出，"
        "在谈判中兼顾客户价值与公司利益。",
        "description_en": "Understands the industry and how both the customer and the company "
        "make money, spots opportunities, weighs return on effort and balances customer value "
        "with company interest in negotiation.",
        "keywords": ["商机", "预算", "回款", "谈判", "ROI", "pipeline", "negotiate"],
        "anchors": {
            1: (
                "对客户所在行业和公司产品的盈利方式了解不多，谈判中容易一味让价。",
                "Knows little of the customer's industry or how the company's products make "
                "money; gives discounts too easily.",
            ),
            3: (
                "能分析客户的预算和决策链，识别主要商机，报价和让步有依据，关注回款和利润。",
                "Analyses the customer's budget and decision chain, identifies the main "
                "opportunities, has reasons for every price and concession, and watches "
                "collections and margin.",
            ),
            5: (
                "能从行业趋势中发现新的增长点，设计双赢的合作方案，"
                "在复杂谈判中守住底线并扩大合作规模。",
                "Finds new growth in industry trends, designs win-win deals, holds the line in "
                "complex negotiations and grows the size of the partnership.",
            ),
        },
    },
}


# ---------------------------------------------------------------- interview stages

_STAGE_CHECK = {
    "name_zh": "设备检查与说明",
    "name_en": "Device check and briefing",
    "description_zh": "检查摄像头、麦克风、网络和浏览器，了解面试流程、"
    "AI 评估哪些内容以及数据如何保存，"
    "并完成一道不计分的练习题。",
    "description_en": "Check your camera, microphone, network and browser; learn how the "
    "interview runs, what the AI assesses and how your data is kept; then try one unscored "
    "practice question.",
    "duration_min": 10,
}

_STAGE_REVIEW = {
    "name_zh": "人工复核",
    "name_en": "Human review",
    "description_zh": "面试官结合 AI 评估报告和你的作答视频进行复核，通常在 3 个工作日内给出结论。"
    "报告发布后你可以查看详细反馈，如有异议可申请人工复议。",
    "description_en": "An interviewer reviews the AI report together with your recorded "
    "answers and normally reaches a decision within 3 working days. Once the report is "
    "published you can read the detailed feedback and ask for a second human review if you "
    "disagree.",
    # Not timed with the candidate present; pages show the description instead.
    "duration_min": 0,
}


def _ai_stage(minutes: int, per_question_min: int, extra_zh: str = "", extra_en: str = ""):
    return {
        "name_zh": "AI 视频面试",
        "name_en": "AI video interview",
        "description_zh": f"依次回答 6 道结构化问题{extra_zh}，"
        f"每题最长作答 {per_question_min} 分钟，"
        "开始作答前可以先阅读题目、整理思路。系统依据岗位胜任力模型分析回答内容，"
        "不对外貌、口音、背景环境等与岗位无关的因素评分。",
        "description_en": f"Answer six structured questions{extra_en}, up to {per_question_min} "
        "minutes each; you can read each question and gather your thoughts before you start. "
        "The system analyses what you say against the job's competency model and never scores "
        "appearance, accent, surroundings or anything else unrelated to the job.",
        "duration_min": minutes,
    }


# ---------------------------------------------------------------- jobs
#
# Each job: the job itself, its competency model (key, weight, required level,
# optional keyword override), three stages, six interview questions and three
# practice questions. Weights sum to 1.0.

JOBS: list[dict] = [
    {
        "code": "SALES-AM-001",
        "title_zh": "客户经理",
        "title_en": "Account Manager",
        "department_zh": "华东大客户部",
        "department_en": "Key Accounts, East China",
        "location_zh": "上海",
        "location_en": "Shanghai",
        "description_zh": _lines(
            "负责华东区域重点企业客户的开拓与长期经营，是客户与公司之间的第一联系人。",
            "",
            "岗位职责：",
            "1. 深入了解客户的业务与组织架构，挖掘需求，制定客户经营计划；",
            "2. 牵头方案交流、商务谈判与合同签订，推动回款，达成季度业绩目标；",
            "3. 协调售前、交付和客服团队，及时响应并解决客户问题，提升客户满意度和续约率；",
            "4. 定期拜访重点客户，收集市场与竞品信息，反馈给产品和市场团队。",
            "",
            "任职要求：",
            "1. 本科及以上学历，3 年以上 B2B 销售或大客户管理经验，"
            "有企业服务或 SaaS 行业经验者优先；",
            "2. 表达清晰，善于倾听，能与客户中高层建立信任；",
            "3. 目标感强，抗压能力强，能适应阶段性出差；",
            "4. 具备基本的商务英语读写能力。",
        ),
        "description_en": _lines(
            "Win and grow key enterprise accounts in East China as the customer's first point "
            "of contact with the company.",
            "",
            "Responsibilities",
            "1. Understand each customer's business and organisation, uncover needs and build "
            "an account plan.",
            "2. Lead solution workshops, commercial negotiation and contract signing; drive "
            "collections and hit quarterly targets.",
            "3. Coordinate pre-sales, delivery and support teams to respond to and resolve "
            "customer issues, raising satisfaction and renewal rates.",
            "4. Visit key accounts regularly and feed market and competitor insight back to "
            "the product and marketing teams.",
            "",
            "Requirements",
            "1. Bachelor's degree or above; 3+ years in B2B sales or key account management; "
            "enterprise services or SaaS experience is a plus.",
            "2. Clear communicator and good listener who earns the trust of senior customer "
            "stakeholders.",
            "3. Target-driven and resilient under pressure; able to travel from time to time.",
            "4. Working business English (reading and writing).",
        ),
        "competencies": [
            {"key": "customer_focus", "weight": 0.25, "required_level": 75},
            {"key": "communication", "weight": 0.20, "required_level": 75},
            {"key": "business_acumen", "weight": 0.15, "required_level": 65},
            {"key": "problem_solving", "weight": 0.15, "required_level": 65},
            {"key": "stress_resilience", "weight": 0.15, "required_level": 70},
            {"key": "teamwork", "weight": 0.10, "required_level": 60},
        ],
        "stages": [_STAGE_CHECK, _ai_stage(30, 3), _STAGE_REVIEW],
        "questions": [
            {
                "competency_key": "customer_focus",
                "text_zh": "请分享一次你发现客户的真实需求与最初提出的要求并不一致的经历。"
                "你是怎么发现的？最后如何处理？",
                "text_en": "Tell us about a time a customer's real need turned out to differ "
                "from what they first asked for. How did you find out, and what did you do?",
            },
            {
                "competency_key": "communication",
                "text_zh": "请描述一次你向客户高层讲解复杂方案的经历。你是如何准备和表达的？"
                "对方反馈如何？",
                "text_en": "Describe a time you had to explain a complex proposal to a "
                "customer's senior management. How did you prepare and present it, and how did "
                "they respond?",
            },
            {
                "competency_key": "stress_resilience",
                "text_zh": "请描述一次你在压力下处理客户投诉的经历：当时是什么情况？"
                "你采取了哪些行动？结果如何？",
                "text_en": "Describe a time you handled a customer complaint under pressure: "
                "what was the situation, what did you do, and what was the result?",
            },
            {
                "competency_key": "business_acumen",
                "text_zh": "临近签约时，客户要求在现有报价基础上再降 15%，这已超出你的授权范围。"
                "你会怎么处理？请结合你的实际经验谈谈。",
                "text_en": "Just before signing, a customer asks for another 15% off the "
                "quoted price, which is beyond your authority. How would you handle it? Draw on "
                "your own experience.",
            },
            {
                "competency_key": "problem_solving",
                "text_zh": "请分享一次你负责的客户项目出现交付延期的经历。你是如何分析原因、"
                "推动问题解决的？",
                "text_en": "Tell us about an account where delivery slipped behind schedule. "
                "How did you analyse the cause and get the problem solved?",
            },
            {
                "competency_key": "teamwork",
                "text_zh": "请举例说明你是如何协调售前、交付等内部团队，"
                "共同拿下或服务好一个重要客户的。",
                "text_en": "Give an example of how you brought pre-sales, delivery or other "
                "internal teams together to win or serve an important customer.",
            },
        ],
        "practice": [
            {
                "competency_key": "communication",
                "text_zh": "请用 2 分钟做个自我介绍，并说说你为什么对客户经理这个岗位感兴趣。",
                "text_en": "In two minutes, introduce yourself and tell us why the Account "
                "Manager role interests you.",
                "time_limit_s": 120,
            },
            {
                "competency_key": "customer_focus",
                "text_zh": "你认为一名优秀的客户经理最重要的三项能力是什么？为什么？",
                "text_en": "What do you think are the three most important strengths of a "
                "great account manager, and why?",
            },
            {
                "competency_key": "stress_resilience",
                "text_zh": "当多个客户同时提出紧急需求时，你通常如何安排优先级？",
                "text_en": "When several customers need something urgently at the same time, "
                "how do you usually decide what comes first?",
            },
        ],
    },
    {
        "code": "PROD-PM-001",
        "title_zh": "产品经理",
        "title_en": "Product Manager",
        "department_zh": "产品中心",
        "department_en": "Product Center",
        "location_zh": "深圳",
        "location_en": "Shenzhen",
        "description_zh": _lines(
            "负责企业协同办公产品中审批与流程模块的规划和迭代，对功能使用率和客户满意度负责。",
            "",
            "岗位职责：",
            "1. 通过客户访谈、数据分析和竞品研究洞察用户场景，输出需求文档与原型；",
            "2. 制定版本规划，合理排定需求优先级，推动研发、设计、测试按期交付；",
            "3. 定义并跟踪产品核心指标，通过 A/B 测试等方式持续优化体验；",
            "4. 与销售、客户成功团队紧密配合，支持重点客户的方案交流和上线推广。",
            "",
            "任职要求：",
            "1. 本科及以上学历，3 年以上 B 端或 SaaS 产品经验；",
            "2. 具备扎实的需求分析和产品设计能力，熟练使用 Axure、Figma 等原型工具；",
            "3. 对数据敏感，能用 SQL 独立完成基础数据分析；",
            "4. 逻辑清晰，善于跨团队沟通，责任心强，有结果意识。",
        ),
        "description_en": _lines(
            "Own the roadmap and iterations of the approvals and workflow module of our "
            "enterprise collaboration suite, accountable for its adoption and for customer "
            "satisfaction.",
            "",
            "Responsibilities",
            "1. Understand user scenarios through customer interviews, data analysis and "
            "competitor research; write requirement documents and prototypes.",
            "2. Plan releases, prioritise requirements and work with engineering, design and "
            "QA to ship on time.",
            "3. Define and track the product's core metrics and keep improving the experience "
            "through A/B tests and other experiments.",
            "4. Work closely with sales and customer success to support key-account workshops "
            "and roll-outs.",
            "",
            "Requirements",
            "1. Bachelor's degree or above; 3+ years of B2B or SaaS product management.",
            "2. Solid requirement analysis and product design skills; fluent with prototyping "
            "tools such as Axure or Figma.",
            "3. Comfortable with data and able to run basic analyses in SQL on your own.",
            "4. Structured thinker who communicates well across teams, with a strong sense of "
            "ownership and a focus on results.",
        ),
        "competencies": [
            {"key": "product_sense", "weight": 0.25, "required_level": 75},
            {"key": "data_analysis", "weight": 0.20, "required_level": 70},
            {
                "key": "communication",
                "weight": 0.15,
                "required_level": 70,
                "keywords": ["评审", "共识", "同步", "对齐", "stakeholder", "align", "listen"],
            },
            {"key": "problem_solving", "weight": 0.15, "required_level": 70},
            {"key": "ownership", "weight": 0.15, "required_level": 70},
            {"key": "learning_agility", "weight": 0.10, "required_level": 65},
        ],
        "stages": [_STAGE_CHECK, _ai_stage(35, 3), _STAGE_REVIEW],
        "questions": [
            {
                "competency_key": "product_sense",
                "text_zh": "请介绍一个由你主导、你认为最成功的功能。你是如何发现这个需求的？"
                "又是如何判断它值得做的？",
                "text_en": "Walk us through the feature you led that you consider most "
                "successful. How did you discover the need, and how did you decide it was worth "
                "building?",
            },
            {
                "competency_key": "data_analysis",
                "text_zh": "某个核心功能的周活跃用户连续三周下降了 20%。你会如何分析原因？"
                "请说说你的思路和会看哪些数据。",
                "text_en": "Weekly active users of a core feature have fallen 20% over three "
                "weeks. How would you find out why? Explain your approach and which data you "
                "would look at.",
            },
            {
                "competency_key": "communication",
                "text_zh": "请描述一次你的方案在评审中遭到研发或业务方强烈反对的经历。"
                "你是如何沟通并推动达成共识的？",
                "text_en": "Describe a time engineering or business stakeholders strongly "
                "opposed your proposal in a review. How did you communicate and reach "
                "agreement?",
            },
            {
                "competency_key": "problem_solving",
                "text_zh": "上线前一周，你发现某个关键需求的技术方案风险很大，"
                "可能导致整个版本延期。你会怎么做？",
                "text_en": "A week before release you find that the technical approach to a "
                "key requirement is very risky and could delay the whole release. What do you "
                "do?",
            },
            {
                "competency_key": "ownership",
                "text_zh": "请分享一次产品上线后效果不及预期的经历。你是如何复盘的？"
                "之后做了哪些调整？",
                "text_en": "Tell us about a launch that fell short of expectations. How did you "
                "review it, and what did you change afterwards?",
            },
            {
                "competency_key": "learning_agility",
                "text_zh": "请举例说明你如何在短时间内熟悉一个全新的行业或业务领域，"
                "并据此做出有价值的产品决策。",
                "text_en": "Give an example of getting to grips with a completely new industry "
                "or business domain in a short time and then making a valuable product decision.",
            },
        ],
        "practice": [
            {
                "competency_key": "communication",
                "text_zh": "请用 2 分钟介绍你最近负责的一个产品或项目。",
                "text_en": "In two minutes, describe a product or project you have worked on "
                "recently.",
                "time_limit_s": 120,
            },
            {
                "competency_key": "product_sense",
                "text_zh": "选一款你常用的 App，谈谈它最打动你的一个设计，"
                "以及你觉得可以改进的地方。",
                "text_en": "Pick an app you use often: which design choice impresses you most, "
                "and what would you improve?",
            },
            {
                "competency_key": "data_analysis",
                "text_zh": "如果请你为一款企业审批产品定义三个核心指标，你会选哪三个？为什么？",
                "text_en": "If you had to define three core metrics for an enterprise approvals "
                "product, which would you pick, and why?",
            },
        ],
    },
    {
        "code": "RD-SE-001",
        "title_zh": "研发工程师",
        "title_en": "Software Engineer",
        "department_zh": "研发中心 · 平台技术部",
        "department_en": "R&D Center · Platform Engineering",
        "location_zh": "深圳",
        "location_en": "Shenzhen",
        "description_zh": _lines(
            "参与公司核心业务平台的后端设计与开发，保障系统在高并发场景下稳定、高效运行。",
            "",
            "岗位职责：",
            "1. 负责后端服务的需求分析、方案设计、编码实现和单元测试；",
            "2. 参与系统架构演进，持续优化性能、稳定性和可观测性；",
            "3. 参与代码评审，沉淀技术文档，推动工程规范落地；",
            "4. 参与线上值班，快速定位并解决故障。",
            "",
            "任职要求：",
            "1. 计算机或相关专业本科及以上学历，2 年以上后端开发经验；",
            "2. 精通 Java、Go 或 Python 中至少一种语言，熟悉常用数据结构与算法；",
            "3. 熟悉 MySQL、Redis、消息队列等中间件，了解分布式系统的基本原理；",
            "4. 善于分析问题，有良好的团队协作意识，乐于学习新技术。",
        ),
        "description_en": _lines(
            "Design and build backend services for the company's core business platform and "
            "keep it stable and fast under high concurrency.",
            "",
            "Responsibilities",
            "1. Take backend features from requirement analysis and design through "
            "implementation and unit tests.",
            "2. Help evolve the system architecture, improving performance, stability and "
            "observability.",
            "3. Review code, write technical documentation and put engineering standards into "
            "practice.",
            "4. Join the on-call rotation to diagnose and fix production incidents quickly.",
            "",
            "Requirements",
            "1. Bachelor's degree or above in computer science or a related field; 2+ years "
            "of backend development.",
            "2. Strong in at least one of Java, Go or Python; familiar with common data "
            "structures and algorithms.",
            "3. Experienced with MySQL, Redis, message queues and similar middleware; "
            "understands the basics of distributed systems.",
            "4. Good at analysing problems, collaborative, and keen to learn new technology.",
        ),
        "competencies": [
            {"key": "technical_depth", "weight": 0.30, "required_level": 75},
            {
                "key": "problem_solving",
                "weight": 0.25,
                "required_level": 75,
                "keywords": ["排查", "定位", "根因", "日志", "debug", "root cause", "monitoring"],
            },
            {"key": "ownership", "weight": 0.15, "required_level": 65},
            {
                "key": "teamwork",
                "weight": 0.15,
                "required_level": 65,
                "keywords": ["协作", "代码评审", "分享", "配合", "team", "code review", "pairing"],
            },
            {"key": "learning_agility", "weight": 0.15, "required_level": 70},
        ],
        "stages": [
            _STAGE_CHECK,
            _ai_stage(40, 4, "（含技术场景题）", ", including technical scenarios"),
            _STAGE_REVIEW,
        ],
        "questions": [
            {
                "competency_key": "technical_depth",
                "text_zh": "请介绍一个你参与设计的、技术难度最大的系统或模块。"
                "当时有哪些关键的技术选型？你是如何权衡的？",
                "text_en": "Describe the most technically challenging system or module you "
                "helped design. What were the key technical choices, and how did you weigh "
                "them?",
                "time_limit_s": 240,
            },
            {
                "competency_key": "problem_solving",
                "text_zh": "请描述一次你排查线上故障的经历：现象是什么？"
                "你是如何一步步定位到根因的？"
                "最后如何修复，又如何避免再次发生？",
                "text_en": "Describe a production incident you investigated: what were the "
                "symptoms, how did you narrow down the root cause step by step, and how did you "
                "fix it and stop it from happening again?",
                "time_limit_s": 240,
            },
            {
                "competency_key": "technical_depth",
                "text_zh": "大促期间，一个接口的响应时间从 50 毫秒上升到 2 秒。"
                "你会从哪些方面分析和优化？",
                "text_en": "During a big sales event an API's response time rises from 50 ms to "
                "2 seconds. Where would you look, and how would you optimise it?",
                "time_limit_s": 240,
            },
            {
                "competency_key": "teamwork",
                "text_zh": "请分享一次你在代码评审或技术方案讨论中与同事意见不一致的经历。"
                "你们最后是如何达成一致的？",
                "text_en": "Tell us about a time you disagreed with a colleague in a code review "
                "or design discussion. How did you reach agreement?",
            },
            {
                "competency_key": "ownership",
                "text_zh": "请举例说明你主动发现并推动解决了一个不在自己职责范围内的技术问题。",
                "text_en": "Give an example of a technical problem outside your own remit that "
                "you spotted and pushed to get fixed.",
            },
            {
                "competency_key": "learning_agility",
                "text_zh": "请分享一项你最近学习并在项目中用上的新技术。你是怎么学的？"
                "带来了什么效果？",
                "text_en": "Tell us about a new technology you recently learned and used in a "
                "project. How did you learn it, and what difference did it make?",
            },
        ],
        "practice": [
            {
                "competency_key": "technical_depth",
                "text_zh": "请用 2 分钟介绍你最熟悉的一门编程语言，说说它最大的优点和不足。",
                "text_en": "In two minutes, introduce the programming language you know best "
                "and its biggest strength and weakness.",
                "time_limit_s": 120,
            },
            {
                "competency_key": "problem_solving",
                "text_zh": "一个定时任务偶尔会被重复执行，你会如何排查？",
                "text_en": "A scheduled job occasionally runs twice. How would you investigate?",
            },
            {
                "competency_key": "teamwork",
                "text_zh": "你心目中理想的研发团队是什么样的？你希望在团队中扮演什么角色？",
                "text_en": "What does your ideal engineering team look like, and what role "
                "would you like to play in it?",
            },
        ],
    },
]

DEMO_JOB_CODES = tuple(job["code"] for job in JOBS)


# ---------------------------------------------------------------- interviewers

INTERVIEWERS: list[dict] = [
    {
        "name_zh": "王静",
        "name_en": "Wang Jing",
        "initials": "WJ",
        "color": "#2563EB",
        "title_zh": "华东大客户部 销售总监",
        "title_en": "Sales Director, Key Accounts East China",
        "background_zh": "12 年企业服务销售与团队管理经验，带领团队连续三年超额完成业绩目标。"
        "面试中关注你如何理解客户、推动成交。",
        "background_en": "12 years in enterprise sales and sales leadership; her team has beaten "
        "its targets three years running. In interviews she looks at how you understand "
        "customers and move deals forward.",
    },
    {
        "name_zh": "陈浩",
        "name_en": "Chen Hao",
        "initials": "CH",
        "color": "#0D9488",
        "title_zh": "华东大客户部 资深客户经理",
        "title_en": "Senior Account Manager, Key Accounts East China",
        "background_zh": "8 年大客户经营经验，服务过制造、零售等行业的头部企业，"
        "擅长复杂项目的商务谈判。"
        "乐于和你聊聊一线销售的真实日常。",
        "background_en": "8 years managing key accounts for leading manufacturers and "
        "retailers, with a knack for complex commercial negotiations. Happy to tell you what "
        "front-line sales is really like.",
    },
    {
        "name_zh": "刘洋",
        "name_en": "Liu Yang",
        "initials": "LY",
        "color": "#7C3AED",
        "title_zh": "产品中心 高级产品总监",
        "title_en": "Senior Director of Product, Product Center",
        "background_zh": "10 年 B 端产品经验，主导过多款协同办公产品从 0 到 1 的建设。"
        "看重候选人的用户洞察和数据思维。",
        "background_en": "10 years in B2B product management; has taken several collaboration "
        "products from idea to launch. Values user insight and data-driven thinking.",
    },
    {
        "name_zh": "赵敏",
        "name_en": "Zhao Min",
        "initials": "ZM",
        "color": "#DB2777",
        "title_zh": "研发中心 技术经理",
        "title_en": "Engineering Manager, R&D Center",
        "background_zh": "15 年后端研发经验，负责公司核心交易平台的架构与稳定性。"
        "面试中关注你对技术原理的理解和排查问题的思路。",
        "background_en": "15 years of backend engineering; responsible for the architecture "
        "and stability of the core transaction platform. In interviews she looks at how well "
        "you understand the technology and how you reason through problems.",
    },
    {
        "name_zh": "孙磊",
        "name_en": "Sun Lei",
        "initials": "SL",
        "color": "#EA580C",
        "title_zh": "平台技术部 资深架构师",
        "title_en": "Principal Architect, Platform Engineering",
        "background_zh": "专注分布式系统与高可用架构，多次牵头“双十一”等大促的稳定性保障。"
        "喜欢和候选人探讨技术方案背后的取舍。",
        "background_en": "Specialises in distributed systems and high availability, and has "
        "led platform readiness for Singles' Day and other peak sales events. Enjoys "
        "discussing the trade-offs behind a design with candidates.",
    },
    {
        "name_zh": "周婷",
        "name_en": "Zhou Ting",
        "initials": "ZT",
        "color": "#16A34A",
        "title_zh": "人力资源部 HRBP 经理",
        "title_en": "HR Business Partner Manager, Human Resources",
        "background_zh": "8 年招聘与人才发展经验，负责面试流程的公平与规范，"
        "也会解答你关于入职、培训和职业发展的问题。",
        "background_en": "8 years in recruiting and talent development; makes sure every "
        "interview is fair and consistent, and answers your questions about onboarding, "
        "training and career growth.",
    },
]


def interviewer_photo(index: int) -> str:
    """URL path of the n-th (1-based) demo portrait; the file lives under assets/."""
    return f"/interviewers/interviewer-{index}.svg"


def interviewer_portrait_svg(initials: str, color: str, name: str = "") -> str:
    """A placeholder portrait: coloured disc, light head-and-shoulders silhouette,
    initials on the chest. Self-contained, no fonts or images to fetch."""
    label = name or initials
    return _lines(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 160" width="160" '
        f'height="160" role="img" aria-label="{label}">',
        f"  <title>{label}</title>",
        f'  <defs><clipPath id="disc-{initials}">'
        '<circle cx="80" cy="80" r="80"/></clipPath></defs>',
        f'  <circle cx="80" cy="80" r="80" fill="{color}"/>',
        f'  <g clip-path="url(#disc-{initials})" fill="#FFFFFF" fill-opacity="0.9">',
        '    <circle cx="80" cy="62" r="27"/>',
        '    <path d="M24 168 C24 122 50 98 80 98 C110 98 136 122 136 168 Z"/>',
        "  </g>",
        '  <text x="80" y="142" text-anchor="middle" font-family="Helvetica, Arial, '
        f'sans-serif" font-size="22" font-weight="700" fill="{color}" '
        f'letter-spacing="1">{initials}</text>',
        "</svg>",
        "",
    )


def write_interviewer_portraits(assets_dir: Path = ASSETS_DIR) -> list[Path]:
    """(Re)generate the committed portrait files; returns their paths."""
    paths = []
    for index, interviewer in enumerate(INTERVIEWERS, start=1):
        path = assets_dir / interviewer_photo(index).lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        svg = interviewer_portrait_svg(
            interviewer["initials"], interviewer["color"], interviewer["name_en"]
        )
        path.write_text(svg, encoding="utf-8")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- training catalogue

COURSES: list[dict] = [
    {
        "code": "COM-101",
        "title_zh": "结构化表达：金字塔原理实战",
        "title_en": "Structured Communication: The Pyramid Principle in Practice",
        "summary_zh": "学习“结论先行、以上统下、归类分组、逻辑递进”的表达方法，"
        "通过工作汇报、邮件和会议发言的演练，让观点清楚、重点突出。",
        "summary_en": "Learn to lead with the conclusion and to group and order supporting "
        "points, then practise on reports, emails and meetings until your message is clear "
        "and to the point.",
        "provider": "人才发展中心",
        "format": "blended",
        "duration_hours": 8,
        "level": 2,
        "competencies": ["communication"],
    },
    {
        "code": "COM-201",
        "title_zh": "高效倾听与同理沟通",
        "title_en": "Active Listening and Empathetic Communication",
        "summary_zh": "通过角色扮演练习倾听、提问和复述确认，学会在分歧中理解对方立场，"
        "减少沟通误差。",
        "summary_en": "Role-play listening, questioning and paraphrasing; learn to understand "
        "the other side in a disagreement and cut down on misunderstandings.",
        "provider": "人才发展中心",
        "format": "classroom",
        "duration_hours": 6,
        "level": 2,
        "competencies": ["communication", "customer_focus"],
    },
    {
        "code": "COM-301",
        "title_zh": "向上汇报与跨部门影响力",
        "title_en": "Managing Up and Influencing Across Teams",
        "summary_zh": "面向需要推动跨部门事项的骨干员工：识别利益相关方、设计沟通策略，"
        "在没有职权的情况下推动决策。",
        "summary_en": "For experienced staff who drive cross-team work: map your stakeholders, "
        "plan how to engage them and move decisions forward without formal authority.",
        "provider": "人才发展中心",
        "format": "blended",
        "duration_hours": 12,
        "level": 3,
        "competencies": ["communication", "teamwork"],
    },
    {
        "code": "CUS-101",
        "title_zh": "以客户为中心的服务意识",
        "title_en": "A Customer-Centric Service Mindset",
        "summary_zh": "从真实客户案例出发，理解客户旅程中的关键时刻，掌握回访、"
        "预期管理和投诉处理的基本方法。",
        "summary_en": "Using real customer cases, understand the moments that matter in the "
        "customer journey and learn the basics of follow-up, expectation management and "
        "complaint handling.",
        "provider": "销售学院",
        "format": "online",
        "duration_hours": 3,
        "level": 1,
        "competencies": ["customer_focus"],
    },
    {
        "code": "CUS-201",
        "title_zh": "顾问式销售：从需求挖掘到方案呈现",
        "title_en": "Consultative Selling: From Discovery to Proposal",
        "summary_zh": "系统学习 SPIN 提问法和价值呈现技巧，在模拟客户拜访中练习挖掘痛点、匹配方案、"
        "推进下一步。",
        "summary_en": "Learn SPIN questioning and value-based presentation, and practise "
        "uncovering pain points, matching solutions and securing next steps in simulated "
        "customer meetings.",
        "provider": "销售学院",
        "format": "classroom",
        "duration_hours": 16,
        "level": 3,
        "competencies": ["customer_focus", "business_acumen"],
    },
    {
        "code": "CUS-301",
        "title_zh": "大客户经营与关系管理",
        "title_en": "Key Account Planning and Relationship Management",
        "summary_zh": "学习绘制客户组织架构与决策链地图，制定年度客户经营计划，建立多层级、"
        "可持续的客户关系。",
        "summary_en": "Map the customer's organisation and decision chain, build an annual "
        "account plan and develop lasting relationships at several levels.",
        "provider": "销售学院",
        "format": "blended",
        "duration_hours": 20,
        "level": 4,
        "competencies": ["customer_focus", "business_acumen"],
    },
    {
        "code": "BIZ-201",
        "title_zh": "商务谈判实务",
        "title_en": "Business Negotiation in Practice",
        "summary_zh": "掌握谈判前的准备框架（目标、底线、替代方案），练习报价、让步与打破僵局，"
        "在守住利润的同时促成双赢。",
        "summary_en": "Prepare with a clear framework (goal, walk-away point, alternatives), "
        "practise pricing, concessions and breaking deadlocks, and reach win-win deals without "
        "giving away margin.",
        "provider": "销售学院",
        "format": "classroom",
        "duration_hours": 12,
        "level": 3,
        "competencies": ["business_acumen"],
    },
    {
        "code": "PRB-101",
        "title_zh": "问题分析与解决：结构化思维",
        "title_en": "Problem Analysis and Solving: Structured Thinking",
        "summary_zh": "学习 5 Why、鱼骨图、MECE 拆解等工具，按“界定问题—分析根因—制定方案—跟踪复盘”"
        "的步骤解决工作难题。",
        "summary_en": "Use 5 Whys, fishbone diagrams and MECE breakdowns to work through "
        "problems step by step: define the problem, find the root cause, plan the fix, then "
        "track and review it.",
        "provider": "人才发展中心",
        "format": "online",
        "duration_hours": 5,
        "level": 2,
        "competencies": ["problem_solving"],
    },
    {
        "code": "PRB-301",
        "title_zh": "复盘方法与团队学习",
        "title_en": "After-Action Reviews and Team Learning",
        "summary_zh": "掌握“回顾目标—评估结果—分析原因—总结规律”的复盘四步法，"
        "把个人经验变成团队可复用的方法。",
        "summary_en": "Learn the four-step review (revisit the goal, assess the result, analyse "
        "the causes, draw lessons) and turn individual experience into methods the whole team "
        "can reuse.",
        "provider": "人才发展中心",
        "format": "blended",
        "duration_hours": 6,
        "level": 3,
        "competencies": ["problem_solving", "learning_agility"],
    },
    {
        "code": "TEA-101",
        "title_zh": "高效协作与团队信任",
        "title_en": "Effective Collaboration and Team Trust",
        "summary_zh": "通过团队共创和情景演练，了解不同角色的协作方式，学会明确分工、及时补位，"
        "建设性地处理冲突。",
        "summary_en": "Through group exercises and scenarios, learn how different roles work "
        "together, how to agree who does what, step in for each other and handle conflict "
        "constructively.",
        "provider": "人才发展中心",
        "format": "classroom",
        "duration_hours": 6,
        "level": 1,
        "competencies": ["teamwork"],
    },
    {
        "code": "LRN-101",
        "title_zh": "成长型思维与自主学习",
        "title_en": "Growth Mindset and Self-Directed Learning",
        "summary_zh": "认识成长型思维，学会制定个人学习计划、主动寻求反馈，用“学、练、用、"
        "教”的方式快速掌握新技能。",
        "summary_en": "Understand the growth mindset, plan your own learning, seek feedback, "
        "and master new skills quickly by learning, practising, applying and teaching.",
        "provider": "人才发展中心",
        "format": "online",
        "duration_hours": 3,
        "level": 1,
        "competencies": ["learning_agility"],
    },
    {
        "code": "STR-101",
        "title_zh": "压力管理与情绪调适",
        "title_en": "Stress Management and Emotional Balance",
        "summary_zh": "了解压力的来源和身心反应，练习呼吸放松、认知调整等方法，"
        "在高强度工作中保持稳定状态。",
        "summary_en": "Understand where stress comes from and how body and mind respond; "
        "practise breathing, reframing and other techniques to stay steady through intense "
        "periods.",
        "provider": "人才发展中心",
        "format": "online",
        "duration_hours": 4,
        "level": 1,
        "competencies": ["stress_resilience"],
    },
    {
        "code": "STR-201",
        "title_zh": "时间管理与优先级排序",
        "title_en": "Time Management and Prioritisation",
        "summary_zh": "运用四象限法、任务拆解和番茄工作法，在多任务并行时分清轻重缓急，"
        "按时交付关键成果。",
        "summary_en": "Use the urgent-important matrix, task breakdown and the Pomodoro "
        "technique to sort priorities when juggling work, and deliver what matters on time.",
        "provider": "人才发展中心",
        "format": "blended",
        "duration_hours": 6,
        "level": 2,
        "competencies": ["stress_resilience", "ownership"],
    },
    {
        "code": "OWN-201",
        "title_zh": "OKR 目标管理与高效执行",
        "title_en": "OKRs and Effective Execution",
        "summary_zh": "理解 OKR 的制定与对齐方法，把目标拆解为可衡量的关键结果，定期跟进、"
        "及早暴露风险，对结果负责。",
        "summary_en": "Learn how to set and align OKRs, break goals into measurable key "
        "results, check in regularly, raise risks early and own the outcome.",
        "provider": "人才发展中心",
        "format": "online",
        "duration_hours": 4,
        "level": 2,
        "competencies": ["ownership"],
    },
    {
        "code": "PRD-201",
        "title_zh": "需求分析与用户研究",
        "title_en": "Requirements Analysis and User Research",
        "summary_zh": "学习用户访谈、场景分析和 Kano 模型，"
        "把零散的用户反馈转化为有优先级的需求列表和清晰的需求文档。",
        "summary_en": "Use user interviews, scenario analysis and the Kano model to turn "
        "scattered feedback into a prioritised backlog and clear requirement documents.",
        "provider": "产品学院",
        "format": "blended",
        "duration_hours": 16,
        "level": 3,
        "competencies": ["product_sense"],
    },
    {
        "code": "PRD-301",
        "title_zh": "B 端产品设计与商业化",
        "title_en": "B2B Product Design and Monetisation",
        "summary_zh": "结合企业服务产品案例，讲解复杂业务流程的产品设计、权限体系和定价策略，"
        "在客户价值与商业目标之间取得平衡。",
        "summary_en": "Through enterprise software cases: designing for complex workflows, "
        "permission models and pricing that balance customer value with business goals.",
        "provider": "产品学院",
        "format": "classroom",
        "duration_hours": 12,
        "level": 4,
        "competencies": ["product_sense", "business_acumen"],
    },
    {
        "code": "DAT-101",
        "title_zh": "SQL 数据分析入门",
        "title_en": "SQL for Data Analysis",
        "summary_zh": "从零掌握 SELECT、JOIN、分组聚合和窗口函数，"
        "能独立从业务数据库取数并完成常见分析。",
        "summary_en": "Start from scratch with SELECT, JOIN, grouping and window functions, "
        "and learn to pull data from business databases and run common analyses on your own.",
        "provider": "技术学院",
        "format": "online",
        "duration_hours": 10,
        "level": 2,
        "competencies": ["data_analysis"],
    },
    {
        "code": "DAT-201",
        "title_zh": "指标体系与 A/B 实验设计",
        "title_en": "Metrics Frameworks and A/B Testing",
        "summary_zh": "学习搭建北极星指标与漏斗指标体系，掌握 A/B 实验的样本量估算、"
        "显著性判断和常见误区。",
        "summary_en": "Build a north-star and funnel metrics framework; learn sample-size "
        "estimation, significance testing and the usual pitfalls of A/B experiments.",
        "provider": "产品学院",
        "format": "blended",
        "duration_hours": 12,
        "level": 3,
        "competencies": ["data_analysis", "product_sense"],
    },
    {
        "code": "TEC-201",
        "title_zh": "代码质量与工程实践",
        "title_en": "Code Quality and Engineering Practices",
        "summary_zh": "学习整洁代码、单元测试、代码评审和持续集成的最佳实践，让交付的代码可读、"
        "可测、可维护。",
        "summary_en": "Best practices in clean code, unit testing, code review and continuous "
        "integration, so the code you ship is readable, testable and maintainable.",
        "provider": "技术学院",
        "format": "online",
        "duration_hours": 8,
        "level": 2,
        "competencies": ["technical_depth", "ownership"],
    },
    {
        "code": "TEC-301",
        "title_zh": "分布式系统设计实战",
        "title_en": "Distributed Systems Design in Practice",
        "summary_zh": "围绕缓存、消息队列、分库分表和服务治理等主题，结合真实案例讲解高并发、"
        "高可用系统的设计与取舍。",
        "summary_en": "Caching, message queues, sharding and service governance: how to design "
        "high-concurrency, highly available systems and make the trade-offs, taught through "
        "real cases.",
        "provider": "技术学院",
        "format": "blended",
        "duration_hours": 24,
        "level": 4,
        "competencies": ["technical_depth"],
    },
]


# ---------------------------------------------------------------- demo accounts

# Every demo account signs in with this password and enrols its authenticator at
# first sign-in. Demo content is for evaluation: production sets TALENT_DEMO_CONTENT=0.
DEMO_PASSWORD = "talent-demo-2026"

DEMO_USERS: dict[str, str] = {  # role -> display name
    "candidate": "张伟",
    "employee": "李娜",
    "interviewer": "王静",  # the same person as INTERVIEWERS[0]
    "hr": "刘芳",
    "hr_manager": "杨雪",
    "admin": "马俊",
}
INTERVIEWER_ACCOUNT_PROFILE = 0  # index into INTERVIEWERS linked to the interviewer account


def demo_email(role: str) -> str:
    return f"{role}@{DEMO_EMAIL_DOMAIN}"


# ---------------------------------------------------------------- the demo employee's history
#
# 李娜 joined as an Account Manager about seven months ago. Scores are on the
# 0-100 scale, one snapshot a month starting with her hiring interview.

EMPLOYEE_JOB_CODE = "SALES-AM-001"
EMPLOYEE_HIRED_DAYS_AGO = 200
EMPLOYEE_PROGRESS: dict[str, list[float]] = {
    "communication": [70, 72, 74, 77, 79, 80, 82],
    "customer_focus": [72, 73, 75, 78, 80, 83, 85],
    "business_acumen": [58, 60, 61, 63, 66, 68, 70],
    "stress_resilience": [68, 69, 71, 72, 74, 75, 76],
}

EMPLOYEE_GOALS: list[dict] = [
    {
        "competency_key": "customer_focus",
        "title": "试用期目标：独立经营 10 家重点客户",
        "description": "在导师带领下接手华东区 10 家重点客户，完成首轮拜访并制定客户经营计划；"
        "试用期内客户满意度不低于 90%，无重大投诉。",
        "target_level": 75,
        "due_days_after_hire": 180,
        "is_probation": True,
        "status": "achieved",
    },
    {
        "competency_key": "communication",
        "title": "能独立向客户高层汇报解决方案",
        "description": "完成“结构化表达”课程，每月至少主导一次客户高层方案汇报，"
        "会后 24 小时内发出会议纪要与跟进计划。",
        "target_level": 85,
        "due_days_from_now": 90,
        "is_probation": False,
        "status": "open",
    },
    {
        "competency_key": "business_acumen",
        "title": "提升商务谈判与报价能力",
        "description": "完成“顾问式销售”课程，独立完成 3 个项目的报价与谈判，"
        "平均折扣率控制在授权范围内。",
        "target_level": 72,
        "due_days_from_now": 150,
        "is_probation": False,
        "status": "open",
    },
]

EMPLOYEE_ENROLLMENTS: list[dict] = [
    {
        "course_code": "COM-101",
        "status": "completed",
        "progress_pct": 100,
        "enrolled_days_after_hire": 30,
        "completed_days_after_hire": 72,
    },
    {
        "course_code": "CUS-201",
        "status": "in_progress",
        "progress_pct": 60,
        "enrolled_days_after_hire": 150,
    },
]


# ---------------------------------------------------------------- email templates
#
# Placeholders are what the services pass: invitation {link}, {email}, {role}
# (the invitee has no name yet); password_reset {name}, {link}.

EMAIL_TEMPLATES: list[dict] = [
    {
        "key": "invitation",
        "locale": "zh_CN",
        "subject": "【Talent Portal】邀请您激活账号",
        "body": _lines(
            "您好：",
            "",
            "您已受邀加入 Talent Portal 人才门户。请点击下方链接设置密码，完成账号激活：",
            "",
            "{link}",
            "",
            "链接仅可使用一次，并将在一段时间后失效，请尽快完成激活。"
            "激活后，您可以在门户中查看面试安排、完成设备检测、进行模拟练习并查看评估报告。",
            "",
            "如果您并未申请或对此有疑问，请直接回复本邮件或联系人力资源部。",
            "",
            "人力资源部",
        ),
    },
    {
        "key": "invitation",
        "locale": "en",
        "subject": "[Talent Portal] Activate your account",
        "body": _lines(
            "Hello,",
            "",
            "You have been invited to Talent Portal. Follow the link below to set your "
            "password and activate your account:",
            "",
            "{link}",
            "",
            "The link works once and expires after a while, so please activate soon. Once you "
            "are in, you can see your interview schedule, check your devices, practise with "
            "sample questions and read your assessment reports.",
            "",
            "If you were not expecting this email or have any questions, reply to it or "
            "contact Human Resources.",
            "",
            "Human Resources",
        ),
    },
    {
        "key": "password_reset",
        "locale": "zh_CN",
        "subject": "【Talent Portal】重置密码",
        "body": _lines(
            "{name}，您好：",
            "",
            "我们收到了重置您账号密码的请求。请点击下方链接设置新密码：",
            "",
            "{link}",
            "",
            "该链接仅可使用一次，并将在短时间内失效。",
            "如果这不是您本人的操作，请忽略本邮件，您的密码不会被更改；"
            "如果反复收到此类邮件，请联系系统管理员。",
            "",
            "Talent Portal",
        ),
    },
    {
        "key": "password_reset",
        "locale": "en",
        "subject": "[Talent Portal] Reset your password",
        "body": _lines(
            "Hello {name},",
            "",
            "We received a request to reset the password of your account. Follow the link "
            "below to choose a new one:",
            "",
            "{link}",
            "",
            "The link works once and expires shortly.",
            "If you did not ask for this, ignore this email and your password stays "
            "unchanged. If you keep receiving these emails, contact your administrator.",
            "",
            "Talent Portal",
        ),
    },
]


# ---------------------------------------------------------------- loading


def is_demo_loaded(session: Session) -> bool:
    marker = session.exec(
        select(models.AppSetting).where(models.AppSetting.key == DEMO_MARKER_KEY)
    ).first()
    if marker is not None:
        return True
    job = session.exec(select(models.Job).where(models.Job.code.in_(DEMO_JOB_CODES))).first()
    return job is not None


def _naive_utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _fit_datetimes(row) -> None:
    """Give every datetime attribute the form its column stores: aware UTC for
    timezone-aware columns (sqlmodel's UTCDateTime refuses naive values), naive UTC
    otherwise. Covers the models' naive ``utcnow`` defaults as well as our values."""
    for column in row.__table__.columns:
        value = getattr(row, column.key, None)
        if not isinstance(value, datetime):
            continue
        column_type = getattr(column.type, "impl", column.type)
        if getattr(column_type, "timezone", False):
            aware = value if value.utcoffset() is not None else value.replace(tzinfo=timezone.utc)
            setattr(row, column.key, aware)
        else:
            setattr(row, column.key, _naive_utc(value))


def _add(session: Session, row):
    _fit_datetimes(row)
    session.add(row)
    session.flush()  # assigns the id
    return row


def _competency_rows(spec: dict) -> dict:
    base = COMPETENCIES[spec["key"]]
    return {
        "key": spec["key"],
        "name_zh": base["name_zh"],
        "name_en": base["name_en"],
        "description_zh": spec.get("description_zh", base["description_zh"]),
        "description_en": spec.get("description_en", base["description_en"]),
        "weight": spec["weight"],
        "required_level": float(spec["required_level"]),
        "keywords": list(spec.get("keywords", base["keywords"])),
        "anchors": spec.get("anchors", base["anchors"]),
    }


def _load_job(session: Session, spec: dict) -> tuple[models.Job, models.CompetencyModel]:
    job_fields = (
        "code", "title_zh", "title_en", "department_zh", "department_en",
        "location_zh", "location_en", "description_zh", "description_en",
    )
    job = _add(session, models.Job(**{k: spec[k] for k in job_fields}))
    model = _add(
        session,
        models.CompetencyModel(
            job_id=job.id, version=1, is_current=True, note="初始版本 / Initial version"
        ),
    )
    for position, comp_spec in enumerate(spec["competencies"]):
        c = _competency_rows(comp_spec)
        anchors = c.pop("anchors")
        competency = _add(session, models.Competency(model_id=model.id, position=position, **c))
        for level, (text_zh, text_en) in sorted(anchors.items()):
            _add(
                session,
                models.BehaviouralAnchor(
                    competency_id=competency.id, level=level, text_zh=text_zh, text_en=text_en
                ),
            )
    for position, stage in enumerate(spec["stages"]):
        _add(session, models.InterviewStage(job_id=job.id, position=position, **stage))
    for is_practice, key in ((False, "questions"), (True, "practice")):
        for position, q in enumerate(spec[key]):
            _add(
                session,
                models.Question(
                    job_id=job.id,
                    competency_key=q["competency_key"],
                    text_zh=q["text_zh"],
                    text_en=q["text_en"],
                    is_practice=is_practice,
                    time_limit_s=q.get("time_limit_s", 180),
                    position=position,
                ),
            )
    _add(
        session,
        models.AutoAdvanceRule(
            job_id=job.id,
            min_overall=75.0,
            require_all_required_levels=True,
            action="invite_next_stage",
        ),
    )
    return job, model


def _get_or_add(session: Session, model_cls, where: dict, values: dict):
    stmt = select(model_cls)
    for column, value in where.items():
        stmt = stmt.where(getattr(model_cls, column) == value)
    row = session.exec(stmt).first()
    if row is None:
        row = _add(session, model_cls(**where, **values))
    return row


def load_demo(session: Session, now: datetime | None = None) -> bool:
    """Insert the demo content once. Returns False (and touches nothing) when it is
    already there. The caller commits. ``now`` (UTC, naive or aware) anchors the
    relative dates; tests pass it to get stable values."""
    if is_demo_loaded(session):
        return False
    now = _naive_utc(now or models.utcnow())

    # Accounts first: existing rows with the same email are reused untouched.
    from portal.services import passwords

    demo_hash = passwords.hash_password(DEMO_PASSWORD)
    users: dict[str, models.User] = {}
    for role in models.ROLES:
        extra = {}
        if role == "employee":
            extra["hired_at"] = now - timedelta(days=EMPLOYEE_HIRED_DAYS_AGO)
        users[role] = _get_or_add(
            session,
            models.User,
            {"email": demo_email(role)},
            {"display_name": DEMO_USERS[role], "role": role, "locale": "zh_CN",
             "password_hash": demo_hash, "password_changed_at": now, **extra},
        )

    jobs: dict[str, tuple[models.Job, models.CompetencyModel]] = {}
    for spec in JOBS:
        jobs[spec["code"]] = _load_job(session, spec)

    profile_fields = (
        "name_zh", "name_en", "title_zh", "title_en", "background_zh", "background_en",
    )
    profiles: list[models.InterviewerProfile] = []
    for index, spec in enumerate(INTERVIEWERS, start=1):
        linked = index - 1 == INTERVIEWER_ACCOUNT_PROFILE
        profile = models.InterviewerProfile(
            user_id=users["interviewer"].id if linked else None,
            photo=interviewer_photo(index),
            **{k: spec[k] for k in profile_fields},
        )
        profiles.append(_add(session, profile))

    courses: dict[str, models.Course] = {}
    for spec in COURSES:
        course = _get_or_add(
            session,
            models.Course,
            {"code": spec["code"]},
            {k: v for k, v in spec.items() if k not in ("code", "competencies")},
        )
        courses[spec["code"]] = course
        for key in spec["competencies"]:
            _get_or_add(
                session,
                models.CourseCompetency,
                {"course_id": course.id, "competency_key": key},
                {},
            )

    # The candidate's upcoming interview: in three days at 10:00 Beijing time (02:00 UTC).
    am_spec = JOBS[0]
    am_job, am_model = jobs[am_spec["code"]]
    scheduled_at = (now + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    interview = _add(
        session,
        models.Interview(
            candidate_id=users["candidate"].id,
            job_id=am_job.id,
            model_id=am_model.id,
            scheduled_at=scheduled_at,
            duration_min=sum(stage["duration_min"] for stage in am_spec["stages"]),
            status="scheduled",
        ),
    )
    _add(
        session,
        models.InterviewAssignment(
            interview_id=interview.id,
            interviewer_id=profiles[INTERVIEWER_ACCOUNT_PROFILE].id,
        ),
    )

    # The employee's development history.
    employee = users["employee"]
    hired_at = _naive_utc(employee.hired_at or now - timedelta(days=EMPLOYEE_HIRED_DAYS_AGO))
    for spec in EMPLOYEE_GOALS:
        if "due_days_after_hire" in spec:
            due = hired_at + timedelta(days=spec["due_days_after_hire"])
        else:
            due = now + timedelta(days=spec["due_days_from_now"])
        _add(
            session,
            models.DevelopmentGoal(
                user_id=employee.id,
                competency_key=spec["competency_key"],
                title=spec["title"],
                description=spec["description"],
                target_level=float(spec["target_level"]),
                due_date=due,
                is_probation=spec["is_probation"],
                status=spec["status"],
                created_by_id=users["hr"].id,
                created_at=hired_at,
            ),
        )
    for key, scores in EMPLOYEE_PROGRESS.items():
        for month, score in enumerate(scores):
            # Month 0 is the hiring interview, ten days before the start date.
            taken_at = hired_at + (timedelta(days=30 * month) if month else timedelta(days=-10))
            _add(
                session,
                models.ProgressSnapshot(
                    user_id=employee.id,
                    competency_key=key,
                    score=float(score),
                    source="interview" if month == 0 else "review",
                    taken_at=min(taken_at, now),
                ),
            )
    for spec in EMPLOYEE_ENROLLMENTS:
        completed = spec.get("completed_days_after_hire")
        _get_or_add(
            session,
            models.Enrollment,
            {"user_id": employee.id, "course_id": courses[spec["course_code"]].id},
            {
                "status": spec["status"],
                "progress_pct": spec["progress_pct"],
                "enrolled_at": hired_at + timedelta(days=spec["enrolled_days_after_hire"]),
                "completed_at": (
                    hired_at + timedelta(days=completed) if completed is not None else None
                ),
            },
        )

    for spec in EMAIL_TEMPLATES:
        _get_or_add(
            session,
            models.EmailTemplate,
            {"key": spec["key"], "locale": spec["locale"]},
            {"subject": spec["subject"], "body": spec["body"]},
        )

    _add(session, models.AppSetting(key=DEMO_MARKER_KEY, value=now.isoformat(timespec="seconds")))
    return True
