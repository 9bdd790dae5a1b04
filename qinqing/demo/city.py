"""The demo city: a Quanzhou-like tree of districts, counties, departments, a zone's
management committee and the discipline-inspection commission with its groups.

Names and division codes follow the real administrative map (GB/T 2260); people and
accounts are invented.
"""

from __future__ import annotations

# (code, name, English name, GB/T 2260 code)
DISTRICTS: list[tuple[str, str, str, str]] = [
    ("lc", "鲤城区", "Licheng District", "350502"),
    ("fz", "丰泽区", "Fengze District", "350503"),
    ("lj", "洛江区", "Luojiang District", "350504"),
    ("qg", "泉港区", "Quangang District", "350505"),
    ("ha", "惠安县", "Hui'an County", "350521"),
    ("ax", "安溪县", "Anxi County", "350524"),
    ("yc", "永春县", "Yongchun County", "350525"),
    ("dh", "德化县", "Dehua County", "350526"),
    ("ss", "石狮市", "Shishi City", "350581"),
    ("jj", "晋江市", "Jinjiang City", "350582"),
    ("na", "南安市", "Nan'an City", "350583"),
]

# City departments (市直部门): (code, name, English name).
CITY_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("fgw", "市发展和改革委员会", "Development and Reform Commission"),
    ("gxj", "市工业和信息化局", "Industry and Information Technology Bureau"),
    ("swj", "市商务局", "Commerce Bureau"),
    ("czj", "市财政局", "Finance Bureau"),
    ("zrzy", "市自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("zjj", "市住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    ("scjg", "市市场监督管理局", "Market Regulation Bureau"),
    ("wlj", "市文化广电和旅游局", "Culture, Radio, Television and Tourism Bureau"),
    ("rsj", "市人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("sthj", "市生态环境局", "Ecology and Environment Bureau"),
    ("jtj", "市交通运输局", "Transport Bureau"),
    ("slj", "市水利局", "Water Resources Bureau"),
    ("nyj", "市农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("kjj", "市科学技术局", "Science and Technology Bureau"),
    ("sjj", "市数据管理局", "Data Administration Bureau"),
    ("xzfw", "市行政服务中心管委会", "Administrative Service Centre"),
    ("gaj", "市公安局", "Public Security Bureau"),
    ("sfj", "市司法局", "Justice Bureau"),
    ("cgj", "市城市管理局", "Urban Management Bureau"),
    ("jyj", "市教育局", "Education Bureau"),
    ("mzj", "市民政局", "Civil Affairs Bureau"),
    ("wjw", "市卫生健康委员会", "Health Commission"),
    ("yjj", "市应急管理局", "Emergency Management Bureau"),
    ("ybj", "市医疗保障局", "Healthcare Security Bureau"),
    ("tjj", "市统计局", "Statistics Bureau"),
    ("gzw", "市国有资产监督管理委员会", "State Assets Supervision Commission"),
    ("jrj", "市金融工作局", "Financial Work Bureau"),
    ("hyj", "市海洋与渔业局", "Ocean and Fisheries Bureau"),
    ("lyj", "市林业局", "Forestry Bureau"),
    ("tyjrj", "市退役军人事务局", "Veterans Affairs Bureau"),
    ("rfb", "市人民防空办公室", "Civil Air Defence Office"),
    ("gjj", "市住房公积金中心", "Housing Provident Fund Centre"),
    ("tzcj", "市投资促进中心", "Investment Promotion Centre"),
    ("xfj", "市信访局", "Letters and Visits Bureau"),
    ("jgsw", "市机关事务管理局", "Government Offices Administration"),
    ("swsj", "国家税务总局泉州市税务局", "Taxation Bureau"),
    ("ssjt", "市水务集团", "Water Group"),
    ("qxj", "市气象局", "Meteorological Bureau"),
    ("xfzd", "市消防救援支队", "Fire and Rescue Detachment"),
]

# Departments that every district and county has (code suffix, name suffix, English).
COUNTY_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("fgj", "发展和改革局", "Development and Reform Bureau"),
    ("swj", "商务局", "Commerce Bureau"),
    ("scjg", "市场监督管理局", "Market Regulation Bureau"),
    ("zjj", "住房和城乡建设局", "Housing and Construction Bureau"),
    ("zrzy", "自然资源局", "Natural Resources Bureau"),
    ("spj", "行政审批局", "Administrative Approval Bureau"),
    ("wlj", "文体旅游局", "Culture, Sports and Tourism Bureau"),
    ("czj", "财政局", "Finance Bureau"),
    ("rsj", "人力资源和社会保障局", "Human Resources Bureau"),
]

# Management committees of zones (管委会), under the city.
COMMITTEES: list[tuple[str, str, str, str]] = [
    ("tsq", "泉州台商投资区管委会", "Quanzhou Taishang Investment Zone Committee", "泉州台商投资区"),
    ("kfq", "泉州开发区管委会", "Quanzhou Development Zone Committee", "泉州开发区"),
]

# Departments inside the Taishang zone (its own approval bureau and land office).
ZONE_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("tsq-spj", "台商投资区行政审批局", "Taishang Zone Administrative Approval Bureau"),
    ("tsq-zrzy", "台商投资区自然资源分局", "Taishang Zone Natural Resources Office"),
    ("tsq-zjj", "台商投资区住房和城乡建设局", "Taishang Zone Housing and Construction Bureau"),
    ("tsq-jjfz", "台商投资区经济发展局", "Taishang Zone Economic Development Bureau"),
]

# Supervision groups of the city commission: each watches a few departments.
GROUP_SIZE = 4
