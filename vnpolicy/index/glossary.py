"""English → Vietnamese terms of infrastructure and planning policy, for English questions.

The dense leg understands English on its own; this glossary lets the lexical leg and the answer's
support check meet Vietnamese clauses on their words too ("hydrogen" → "hydro", "airport" →
"cảng hàng không"). Longer phrases are matched first.
"""

from __future__ import annotations

import re

import snowballstemmer

GLOSSARY: dict[str, str] = {
    "offshore wind": "điện gió ngoài khơi", "wind power": "điện gió", "wind farm": "điện gió",
    "solar power": "điện mặt trời", "renewable energy": "năng lượng tái tạo", "power grid": "lưới điện",
    "green hydrogen": "hydro xanh", "hydrogen": "hydro", "electricity": "điện", "power plant": "nhà máy điện",
    "nuclear": "hạt nhân", "airport": "cảng hàng không",
    "seaport": "cảng biển", "port": "cảng",
    "expressway": "cao tốc", "highway": "quốc lộ", "national road": "quốc lộ",
    "bridge": "cầu", "railway": "đường sắt", "metro": "đường sắt đô thị",
    "road": "đường bộ", "inland waterway": "đường thủy nội địa",
    "industrial park": "khu công nghiệp",
    "industrial cluster": "cụm công nghiệp",
    "economic zone": "khu kinh tế", "urbanization": "đô thị hóa", "urbanisation": "đô thị hóa",
    "urban": "đô thị", "city": "thành phố", "rate": "tỷ lệ", "target": "mục tiêu",
    "social housing": "nhà ở xã hội", "housing": "nhà ở", "worker housing": "nhà ở công nhân",
    "irrigation": "thủy lợi", "sluice": "cống", "dyke": "đê", "embankment": "kè",
    "climate change": "biến đổi khí hậu", "flood": "ngập", "drainage": "thoát nước",
    "water supply": "cấp nước", "clean water": "nước sạch", "wastewater": "nước thải",
    "solid waste": "chất thải rắn", "waste": "chất thải", "landfill": "bãi chôn lấp",
    "market": "chợ", "wholesale market": "chợ đầu mối", "logistics": "logistics", "tourism": "du lịch",
    "hospital": "bệnh viện", "health": "y tế", "school": "trường học", "education": "giáo dục",
    "digital transformation": "chuyển đổi số", "telecommunications": "viễn thông", "5g": "5G",
    "mobile coverage": "sóng di động", "data center": "trung tâm dữ liệu", "green credit": "tín dụng xanh",
    "investment": "đầu tư", "invest": "đầu tư", "project": "dự án",
    "public investment": "đầu tư công", "public-private partnership": "đối tác công tư", "ppp": "PPP",
    "ha": "ha", "hectares": "ha", "tons": "tấn", "tonnes": "tấn", "ship": "tàu",
    "province": "tỉnh", "infrastructure": "hạ tầng", "transport": "giao thông",
    "traffic": "giao thông", "electric": "điện", "energy": "năng lượng", "culture": "văn hóa",
    "sports": "thể thao", "science": "khoa học", "technology": "công nghệ", "commerce": "thương mại",
    # Public finance.
    "state budget": "ngân sách nhà nước", "budget": "ngân sách", "capital": "vốn", "funding": "kinh phí",
    "cost": "chi phí", "expense": "chi phí", "fee": "phí", "price": "giá", "tax": "thuế",
    "loan": "vốn vay",
    "total investment": "tổng mức đầu tư", "billion": "tỷ", "million": "triệu", "VND": "đồng",
    "pay": "chi trả", "paid": "chi trả", "payment": "thanh toán",
    # Legal and administrative texts: their parts, who acts, when.
    "resolution": "nghị quyết", "decision": "quyết định", "regulation": "quy định", "directive": "chỉ thị",
    "action programme": "chương trình hành động", "action program": "chương trình hành động",
    "programme": "chương trình", "program": "chương trình", "chapter": "chương", "article": "điều",
    "take effect": "có hiệu lực", "takes effect": "có hiệu lực", "effective": "hiệu lực", "in force": "hiệu lực",
    "replace": "thay thế", "scope": "phạm vi", "apply": "áp dụng", "applies": "áp dụng",
    "People's Committee": "Ủy ban nhân dân", "People's Council": "Hội đồng nhân dân",
    "Party Committee": "Tỉnh ủy", "Standing Committee": "Ban Thường vụ",
    "Department of Construction": "Sở Xây dựng", "Department of Finance": "Sở Tài chính",
    "Department of Industry and Trade": "Sở Công Thương", "department": "sở", "commune": "xã", "ward": "phường",
    "responsible": "trách nhiệm", "responsibility": "trách nhiệm", "responsibilities": "trách nhiệm",
    "in charge": "chủ trì", "coordinate": "phối hợp", "report": "báo cáo", "deadline": "thời hạn",
    "hand over": "bàn giao", "handover": "bàn giao", "monthly": "hằng tháng", "quarterly": "hằng quý",
    "annual": "hằng năm", "annually": "hằng năm", "quarter": "quý", "month": "tháng", "banned": "cấm",
    "ban": "cấm", "prohibited": "cấm", "forbidden": "cấm", "allowed": "cho phép", "permitted": "cho phép",
    "licence": "giấy phép", "license": "giấy phép", "inspection": "kiểm tra", "supervision": "giám sát",
    "land recovery": "thu hồi đất", "land": "đất", "relocate": "di dời", "relocation": "di dời",
    # Environment, vehicles and urban services.
    "low-emission zone": "vùng phát thải thấp",
    "emission": "phát thải", "exhaust": "khí thải", "pollution": "ô nhiễm", "environment": "môi trường",
    "environmental": "môi trường", "fossil fuel": "nhiên liệu hóa thạch", "fuel": "nhiên liệu",
    "vehicle": "phương tiện", "truck": "xe tải", "car": "ô tô", "motorbike": "xe máy", "motorcycle": "xe mô tô",
    "bus": "xe buýt", "electric vehicle": "xe điện", "charging station": "trạm sạc",
    "sludge": "bùn thải",
    "sewage": "nước thải", "septic tank": "bể phốt", "sewer": "cống", "treatment plant": "nhà máy xử lý",
    "treatment": "xử lý", "capacity": "công suất", "collect": "thu gom", "collection": "thu gom",
    "occupancy rate": "tỷ lệ lấp đầy", "occupancy": "lấp đầy", "eco-industrial": "sinh thái",
    "ecological": "sinh thái", "green": "xanh", "forest": "rừng", "agriculture": "nông nghiệp",
    # Economy and society, digital services.
    "digital economy": "kinh tế số", "digital society": "xã hội số", "digital government": "chính quyền số",
    "e-government": "chính phủ điện tử", "cashless": "không dùng tiền mặt", "non-cash": "không dùng tiền mặt",
    "artificial intelligence": "trí tuệ nhân tạo", "smart city": "đô thị thông minh",
    "electronic health book": "sổ sức khỏe điện tử", "health record": "hồ sơ sức khỏe",
    "online public services": "dịch vụ công trực tuyến", "public services": "dịch vụ công",
    "innovation": "đổi mới sáng tạo", "startup": "khởi nghiệp", "enterprise": "doanh nghiệp",
    "business": "doanh nghiệp", "company": "doanh nghiệp", "companies": "doanh nghiệp",
    "resident": "người dân", "household": "hộ", "worker": "công nhân", "labour": "lao động", "labor": "lao động",
    "training": "đào tạo", "high technology": "công nghệ cao", "high-tech": "công nghệ cao",
    "economic growth": "tăng trưởng kinh tế", "growth": "tăng trưởng", "export": "xuất khẩu",
    "share": "tỷ lệ", "percentage": "tỷ lệ", "proportion": "tỷ lệ",
    # The plans' own topics (their headings: transport, urban, irrigation and disasters, digital, social,
    # trade, energy infrastructure), so an English question meets the words their clauses use. Not words
    # whose folded form is another common word ("bến" Bến Tre, "cáp" cấp, "đê" để, "bão" báo).
    "ring road": "đường vành đai", "bypass": "tuyến tránh", "coastal road": "đường ven biển",
    "rural road": "giao thông nông thôn", "rural transport": "giao thông nông thôn", "dredging": "nạo vét",
    "waterway": "đường thủy", "passenger port": "cảng hành khách", "bus station": "bến xe",
    "parking": "bãi đỗ xe", "interchange": "nút giao", "border gate": "cửa khẩu",
    "logistics centre": "trung tâm logistics", "logistics center": "trung tâm logistics",
    "satellite town": "đô thị vệ tinh", "new urban area": "khu đô thị mới",
    "public space": "không gian công cộng", "green space": "cây xanh", "park": "công viên",
    "street lighting": "chiếu sáng", "underground": "ngầm hóa", "telecom": "viễn thông",
    "new rural": "nông thôn mới", "new countryside": "nông thôn mới", "resettlement": "tái định cư",
    "site clearance": "giải phóng mặt bằng", "reservoir": "hồ chứa", "dam": "đập", "sea dike": "đê biển",
    "saltwater intrusion": "xâm nhập mặn", "salinity": "mặn", "erosion": "sạt lở", "landslide": "sạt lở",
    "riverbank": "bờ sông", "coastal": "ven biển", "natural disaster": "thiên tai", "disaster": "thiên tai",
    "flooding": "ngập úng", "early warning": "cảnh báo", "monitoring station": "trạm quan trắc",
    "data centre": "trung tâm dữ liệu", "broadband": "băng rộng", "fibre optic": "cáp quang",
    "fiber optic": "cáp quang", "e-commerce": "thương mại điện tử", "digital infrastructure": "hạ tầng số",
    "operations centre": "trung tâm điều hành", "operations center": "trung tâm điều hành", "smart": "thông minh",
    "national standard": "chuẩn quốc gia", "kindergarten": "mầm non", "preschool": "mầm non",
    "boarding school": "nội trú", "university": "đại học", "vocational": "nghề", "medical centre": "trung tâm y tế",
    "health centre": "trung tâm y tế", "health center": "trung tâm y tế", "clinic": "trạm y tế",
    "stadium": "sân vận động", "sports complex": "khu liên hợp thể thao", "cultural house": "nhà văn hóa",
    "museum": "bảo tàng", "historical site": "di tích", "relic": "di tích", "community tourism": "du lịch cộng đồng",
    "eco-tourism": "du lịch sinh thái", "ecotourism": "du lịch sinh thái", "supermarket": "siêu thị",
    "convenience store": "cửa hàng tiện lợi", "shopping mall": "trung tâm thương mại", "exhibition": "triển lãm",
    "trade fair": "hội chợ", "transmission line": "đường dây", "substation": "trạm biến áp", "solar": "điện mặt trời",
    "waste-to-energy": "điện rác", "recycling": "tái chế", "plastic": "nhựa", "water plant": "nhà máy nước",
    "pumping station": "trạm bơm", "high-tech park": "khu công nghệ cao", "IT park": "khu công nghệ thông tin",
    "processing": "chế biến", "medicinal herbs": "dược liệu", "medicinal": "dược liệu", "ODA": "ODA",
    "socialisation": "xã hội hóa", "socialization": "xã hội hóa", "private investment": "xã hội hóa",
    "land fund": "quỹ đất", "mobilise": "huy động", "mobilize": "huy động",
    # Words of the other issuers' plans and regulations (industrial zones, digital economy, low-emission
    # zones, drainage), from their own text.
    "establish": "thành lập", "newly established": "thành lập mới", "in operation": "đang hoạt động",
    "operating": "đang hoạt động", "expand": "mở rộng", "expansion": "mở rộng", "customs": "hải quan",
    "dry port": "cảng cạn", "import-export": "xuất nhập khẩu", "import and export": "xuất nhập khẩu",
    "open data": "dữ liệu mở", "dataset": "bộ dữ liệu", "pilot": "thí điểm", "petrol": "xăng",
    "gasoline": "xăng", "ride-hailing": "gọi xe", "publicly posted": "niêm yết công khai",
    "public posting": "niêm yết công khai", "dumping": "đổ thải", "landfill site": "bãi chôn lấp",
    "set up": "thành lập", "quality management": "quản lý chất lượng", "standard": "tiêu chuẩn",
    "administrative procedure": "thủ tục hành chính", "procedure": "thủ tục",
    "Ministry of Industry and Trade": "Bộ Công Thương", "Ministry of Construction": "Bộ Xây dựng",
    "Ministry of Finance": "Bộ Tài chính", "decentralised": "phân tán", "decentralized": "phân tán",
    "on-site": "tại chỗ", "traffic congestion": "ùn tắc giao thông", "congestion": "ùn tắc",
    "Youth Union": "Tỉnh đoàn", "pre-treatment": "xử lý sơ bộ", "pre-treat": "xử lý sơ bộ",
    "supply chain": "chuỗi cung ứng", "priority project": "dự án ưu tiên",
}
# A term matches as a run of whole words, word for word or else stem for stem (the Snowball English stemmer):
# "hospitals", "resettling" (resettlement), "databases", "trained" (training). Where two terms share their
# stems ("park" and "parking"), the stems stand for the shorter one, the other matches word for word. A term
# is not read after "non-" ("non-public investment" is no public investment).
_WORD = re.compile(r"[a-z0-9]+(?:'s)?")
_STEMMER = snowballstemmer.stemmer("english")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _stems(words: list[str]) -> tuple[str, ...]:
    return tuple(_STEMMER.stemWords(words))


_BY_WORDS = {tuple(_words(term)): vietnamese for term, vietnamese in GLOSSARY.items()}
_BY_STEMS = {
    _stems(list(words)): vietnamese
    for words, vietnamese in sorted(_BY_WORDS.items(), key=lambda item: -len("".join(item[0])))
}  # the shorter of two terms with the same stems written last, so it stands for them
_LONGEST = max(map(len, _BY_WORDS))


def translate_terms(text: str) -> list[str]:
    """The Vietnamese terms for the English terms found in `text`, in order of appearance, longest first."""
    words = _words(text)
    stems = _stems(words)
    found, position = [], 0
    while position < len(words):
        size = next(
            (
                size for size in range(min(_LONGEST, len(words) - position), 0, -1)
                if tuple(words[position : position + size]) in _BY_WORDS
                or stems[position : position + size] in _BY_STEMS
            ),
            0,
        )
        if not size or (position and words[position - 1] == "non"):
            position += 1
            continue
        key = tuple(words[position : position + size])
        found.append(_BY_WORDS[key] if key in _BY_WORDS else _BY_STEMS[stems[position : position + size]])
        position += size
    return found


_ENGLISH_WORDS = frozenset(
    "the which what where when how who whose is are was were do does did of to in on for with by from and or "
    "plan plans planned commit commits committed province provinces locality localities target targets rate "
    "any there their its this that these those have has".split()
)


# A syllable Vietnamese can spell, once folded (onset, one to three vowels, coda): "ngoai", "khoi", "tuyen".
_VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)


def looks_english(text: str) -> bool:
    """An English question: English function words or mostly words that no Vietnamese syllable spells
    ("offshore wind projects"; unaccented Vietnamese is all syllables). Accented words may be names in it
    ("What does Lào Cai target…"), but not most of it."""
    raw = re.findall(r"\b[^\W\d_]+\b", text.lower())  # not the letters of codes such as 5G or JICA3
    accented = sum(any(ord(ch) > 127 for ch in word) for word in raw)
    if 3 * accented > len(raw):
        return False
    words = [word for word in raw if not any(ord(ch) > 127 for ch in word)]
    if not words:
        return False
    foreign = [word for word in words if not _VIETNAMESE_SYLLABLE.fullmatch(word)]
    function_words = [word for word in words if word in _ENGLISH_WORDS]
    # "do", "to", "the", "that" are also unaccented syllables ("do thi", "to dan pho"): alone they prove nothing.
    telling = [word for word in function_words if word in foreign]
    # One such ambiguous word beside a foreign name is still Vietnamese ("sông Dak To Kan"); two are not.
    english_frame = bool(telling) or (len(function_words) >= 2 and bool(foreign))
    return (english_frame and len(words) >= 2) or 2 * len(foreign) > len(words)

