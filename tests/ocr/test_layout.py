"""Geometry: joining Chinese, lines, segments, cells, wrapped values."""

from __future__ import annotations

from pilot_intake.models import Word

from extractors import layout


def w(text, x0, y0, x1, y1, conf=0.9):
    return Word(text=text, bbox=(x0, y0, x1, y1), conf=conf)


def test_join_removes_spaces_between_chinese_but_keeps_latin_spaces():
    words = [w("平", 0, 0, 30, 30), w("台", 40, 0, 70, 30), w("名称", 80, 0, 140, 30)]
    assert layout.join_words(words) == "平台名称"
    assert layout.join_words([w("HIP-50", 0, 0, 60, 30), w("type", 70, 0, 110, 30)]) == "HIP-50 type"
    assert layout.join_words([w("1250.5", 0, 0, 60, 30), w("万元", 65, 0, 120, 30)]) == "1250.5万元"


def test_wide_gap_splits_fields_and_stray_spaces_do_not():
    # "平 台 名 称" with one-character gaps, then a value 8 characters to the right.
    label = [w(c, i * 60, 0, i * 60 + 30, 30) for i, c in enumerate("平台名称")]
    value = [w("华南", 450, 0, 510, 30), w("平台", 515, 0, 575, 30)]
    line = layout.group_lines(label + value)
    assert len(line) == 1
    segs = layout.segments(line[0])
    assert [s.text for s in segs] == ["平台名称", "华南平台"]


def test_lines_grouped_by_vertical_position_even_when_slightly_uneven():
    words = [w("甲", 0, 100, 30, 130), w("乙", 40, 104, 70, 134), w("丙", 0, 160, 30, 190)]
    lines = layout.group_lines(words)
    assert [ln.text for ln in lines] == ["甲乙", "丙"]


def test_words_fall_into_ruled_cells_and_wrapped_value_joins():
    cells = [(0, 0, 200, 100), (200, 0, 600, 100), (0, 100, 200, 140), (200, 100, 600, 140)]
    words = [
        w("通讯地址", 10, 10, 130, 40),
        w("广州市天河区", 210, 10, 400, 40),  # value wrapped onto a second line in its cell
        w("科韵路16号", 210, 55, 380, 85, conf=0.5),
        w("所在地市", 10, 105, 130, 135),
        w("广州市", 210, 105, 300, 135),
    ]
    rows = layout.page_rows(words, cells)
    assert [r.texts for r in rows] == [["通讯地址", "广州市天河区科韵路16号"], ["所在地市", "广州市"]]
    # A field is as sure as its least sure word: the second line decides.
    assert rows[0].cells[1].conf == 0.5


def test_unruled_continuation_line_is_merged_into_the_value_above():
    words = [
        w("通讯地址", 0, 0, 120, 30), w("广州市天河区", 300, 0, 480, 30),
        w("科韵路16号", 300, 40, 450, 70),
        w("所在地市", 0, 100, 120, 130), w("广州市", 300, 100, 390, 130),
    ]
    rows = layout.page_rows(words, [])
    assert [r.texts for r in rows] == [["通讯地址", "广州市天河区科韵路16号"], ["所在地市", "广州市"]]


def test_clean_cell_drops_rule_remnants_and_fixes_brackets():
    assert layout.clean_cell("”设备名称") == "设备名称"
    assert layout.clean_cell("| 1,250.5") == "1,250.5"
    assert layout.clean_cell("人员〈人)") == "人员（人)"
    assert layout.clean_cell("VF-200") == "VF-200"
    assert layout.clean_cell(";深圳市澜启电子材料有限公司") == "深圳市澜启电子材料有限公司"


def test_a_round_bracket_read_as_an_angle_one_is_paired_back():
    assert layout.fix_bracket_pairs("原材料工业《高性能电子化学品)") == "原材料工业（高性能电子化学品）"
    assert layout.fix_bracket_pairs("工业(高性能》") == "工业（高性能）"
    # A real title pair and lone brackets are not touched.
    assert layout.fix_bracket_pairs("依据《中试平台管理办法》") == "依据《中试平台管理办法》"
    assert layout.fix_bracket_pairs("工业(高性能") == "工业(高性能"


def test_tight_latin_pieces_join_without_space():
    assert layout.join_words([w("158", 0, 0, 60, 30), w("****", 63, 2, 140, 16), w("2459", 142, 0, 220, 30)]) == "158****2459"


def test_asterisk_blobs_replace_what_ocr_made_of_them():
    # 欧*** read as 欧和全, with the engine's box for 欧 stretched over the first asterisk.
    words = [w("欧", 100, 0, 170, 40), w("和", 150, 0, 165, 60), w("全", 161, 0, 200, 60)]
    stars = [(145, 2, 159, 16), (163, 2, 177, 16), (181, 2, 195, 16)]
    out = layout.put_asterisks(words, stars)
    assert layout.join_words(out) == "欧***"


def test_asterisks_the_engine_read_unsurely_and_the_page_shows_are_sure():
    words = [w("孙", 0, 0, 60, 41, conf=0.91), w("*", 41, 0, 62, 41, conf=0.52)]
    out = layout.put_asterisks(words, [(45, 3, 58, 16)])
    assert layout.join_words(out) == "孙*" and min(x.conf for x in out) == 0.9
    # A word that mixes characters and asterisks keeps its confidence: the page shows only the asterisks.
    out = layout.put_asterisks([w("孙*", 0, 0, 62, 41, conf=0.52)], [(45, 3, 58, 16)])
    assert out[0].conf == 0.52


def test_asterisks_inside_a_phone_number():
    words = [w("138w5678", 0, 0, 240, 30)]
    stars = [(66, 1, 78, 13), (84, 1, 96, 13), (102, 1, 114, 13), (120, 1, 132, 13)]
    assert layout.join_words(layout.put_asterisks(words, stars)) == "138****5678"


def test_a_hash_beside_seen_asterisks_is_one_more_asterisk():
    words = [w("谢", 0, 0, 38, 41), w("*#", 38, 0, 79, 41)]
    stars = [(45, 3, 58, 16), (65, 3, 79, 16)]
    assert layout.join_words(layout.put_asterisks(words, stars)) == "谢**"


def test_two_readings_agree_when_they_differ_only_in_form():
    agree = layout.readings_agree
    assert agree("4.583.5万元", "4,583.5万元")  # thousands separator read as a dot
    assert agree("158…**2459", "158****2459")  # asterisks read as an ellipsis: the count is checked later
    assert agree("he“**@example.cn", "he***@example.cn")  # or as a raised quote mark
    assert agree("”有", "有")  # a rule speck at the edge
    assert agree("二@二六年十二月二十八日", "二〇二六年十二月二十八日")
    assert agree("肆什伍佰零贰万伍仟元", "肆仟伍佰零贰万伍仟元")
    assert agree("V否", "√否")
    assert agree("y是", "√是") and agree("\\是", "√是")  # tesseract's readings of a tick
    assert agree("”Vv是", "√是")  # a tick read as two letters (full seed 41's p05), a speck before it
    assert not agree("Vv否", "√是")
    assert agree("1,701.5万元", "1701.5万元")  # a separator read or not
    assert agree("44.505.000元", "44,505,000元") and agree("12,060.000元", "12,060,000元")
    assert agree("11.687万元", "11,687万元")  # a lone separator read as a dot
    assert agree("谢*#", "谢**")
    assert agree("Xu**@example.org.cn", "xu**@example.org.cn")
    assert agree("原材料工业(先进材料)", "原材料工业（先进材料）")


def test_two_readings_disagree_when_the_meaning_differs():
    agree = layout.readings_agree
    assert not agree("4583.5万元", "458.35万元")  # a decimal point is not a separator
    assert not agree("1.701万元", "1701万元")  # a lone dot before three digits may be one
    assert not agree("11,687万元", "11687万元")  # ... and a lone comma may have been a dot
    assert not agree("2026-12-28", "2026-12-23")
    assert not agree("有", "在")
    assert not agree("先进陶资材料", "先进陶瓷材料")
    assert not agree("", "")


def chars(pairs):
    """One word per character, left to right: [(text, conf), ...]."""
    return [w(t, i * 40, 0, i * 40 + 30, 30, conf=c) for i, (t, c) in enumerate(pairs)]


def test_vote_takes_the_second_reading_where_the_first_could_not_read():
    # Tesseract on a 大写 amount (seed 11's q06): 唐 and 佰 unreadable, 什/参 its usual forms.
    first = chars([("肆", 0.0), ("什", 0.55), ("唐", 0.0), ("佰", 0.0), ("伍", 0.93), ("拾", 0.73),
                   ("参", 0.92), ("万", 0.97), ("元", 0.97)])
    second = [w("肆仟肆佰伍拾叁万元", 0, 0, 360, 30, conf=0.976)]
    voted = layout.vote_readings(first, second)
    assert voted is not None
    assert layout.join_words(voted) == "肆仟肆佰伍拾叁万元"
    assert layout.field_conf(voted) == layout.VOTED_CONF


def test_vote_refuses_when_the_first_engine_read_a_differing_numeral_surely():
    # 贰 read at 0.92 where RapidOCR says 壹: a real contradiction, not an unread character.
    first = chars([("贰", 0.92), ("他", 0.04), ("参", 0.0), ("佰", 0.91), ("玖", 0.86), ("拾", 0.64),
                   ("壹", 0.54), ("万", 0.88), ("于", 0.4), ("什", 0.0), ("元", 0.95)])
    second = [w("壹仟叁佰玖拾壹万贰仟元", 0, 0, 440, 30, conf=0.973)]
    assert layout.vote_readings(first, second) is None


def test_a_sure_character_that_is_no_numeral_does_not_stop_the_vote_on_an_amount():
    # Seed 11's q06: 过 at 0.92 for 壹. No amount in 大写 contains 过: it is a misread.
    first = chars([("过", 0.92), ("他", 0.04), ("参", 0.0), ("佰", 0.91), ("玖", 0.86), ("拾", 0.64),
                   ("壹", 0.54), ("万", 0.88), ("于", 0.4), ("什", 0.0), ("元", 0.95)])
    second = [w("壹仟叁佰玖拾壹万贰仟元", 0, 0, 440, 30, conf=0.973)]
    voted = layout.vote_readings(first, second)
    assert voted is not None and layout.join_words(voted) == "壹仟叁佰玖拾壹万贰仟元"


def test_vote_takes_a_masking_asterisk_where_the_first_engine_read_a_character():
    assert layout.join_words(layout.vote_readings(chars([("郭", 0.72), ("全", 0.35)]),
                                                  [w("郭*", 0, 0, 60, 30, conf=0.96)])) == "郭*"
    # chi_sim reads a run of asterisks as one sure character; the page check comes later.
    assert layout.join_words(layout.vote_readings(chars([("谢", 0.9), ("汪", 0.9)]),
                                                  [w("谢*#", 0, 0, 60, 30, conf=0.96)])) == "谢*#"
    assert layout.join_words(layout.vote_readings(chars([("189", 0.9), ("和", 0.9), ("8415", 0.9)]),
                                                  [w("189****8415", 0, 0, 60, 30, conf=0.99)])) == "189****8415"
    # RapidOCR unsure of the asterisks, tesseract sure of the name's first character.
    assert layout.vote_readings(chars([("司", 0.93), ("^", 0.0)]), [w("司***", 0, 0, 60, 30, conf=0.54)]) is not None
    # Or dropped them: the visible part agrees.
    assert layout.vote_readings(chars([("李", 0.8)]), [w("李*#", 0, 0, 60, 30, conf=0.96)]) is not None
    # A differing character of the name itself is not voted on.
    assert layout.vote_readings(chars([("郭", 0.3), ("*", 0.9)]), [w("鄂*", 0, 0, 60, 30, conf=0.96)]) is None


def test_vote_refuses_a_dropped_character_an_unsure_second_and_mostly_unread_cells():
    # RapidOCR dropped the rare 铖 at 0.999: different lengths, no vote.
    first = chars([("饶", 0.0), ("宇", 0.0), ("集成", 0.97)])
    assert layout.vote_readings(first, [w("宇集成", 0, 0, 120, 30, conf=0.999)]) is None
    # Both engines unsure of what they both show.
    first = chars([("郭", 0.3), ("全", 0.35)])
    assert layout.vote_readings(first, [w("郭**", 0, 0, 90, 30, conf=0.5)]) is None
    # Nothing agrees: the first engine confirms nothing.
    first = chars([("甲", 0.1), ("乙", 0.1), ("丙", 0.1)])
    assert layout.vote_readings(first, [w("天地人", 0, 0, 120, 30, conf=0.99)]) is None


def test_vote_takes_items_of_the_closed_service_list():
    # Full seed 53's q06: tesseract read the wrapped cell's 设 as 论 (0.0) and its last 证 as 】.
    first = chars([("论", 0.0), ("计验证，", 0.9), ("功能性能验证，", 0.93), ("工艺验证，", 0.97),
                   ("适配验证，", 0.93), ("生产验", 0.93), ("】", 0.41)])
    second = [w("设计验证，功能性能验证，工艺验证，适配验证，生产验证", 0, 0, 900, 30, conf=1.0)]
    voted = layout.vote_readings(first, second)
    assert voted is not None
    assert layout.join_words(voted) == "设计验证，功能性能验证，工艺验证，适配验证，生产验证"
    assert layout.field_conf(voted) == layout.VOTED_CONF
    # Clean seed 7's 04: stray marks inside the first item, all read unsure.
    first = chars([("光", 0.0), ("”", 0.0), ("对", 0.33), ("证", 0.29), ("功能性能验证，", 0.97), ("工艺验证，", 0.93),
                   ("适配验证，", 0.93), ("生产验", 0.93), ("j", 0.3)])
    voted = layout.vote_readings(first, second)
    assert voted is not None and layout.join_words(voted) == layout.join_words(second)


def test_closed_list_vote_refuses_a_dropped_item_a_sure_contradiction_and_free_text():
    # RapidOCR dropped an item: still items of the list, but shorter than what tesseract saw.
    first = chars([("论", 0.0), ("计验证，", 0.9), ("功能性能验证，", 0.93), ("工艺验证", 0.97)])
    assert layout.vote_readings(first, [w("设计验证，工艺验证", 0, 0, 400, 30, conf=1.0)]) is None
    # tesseract sure of another item's character (工 for 功): a contradiction, not an unread character.
    first = chars([("设计验证，", 0.93), ("工", 0.95), ("能性能验证", 0.93)])
    assert layout.vote_readings(first, [w("设计验证，功能性能验证", 0, 0, 500, 30, conf=1.0)]) is None
    # Not every item is on the list: free text, no vote.
    first = chars([("论", 0.0), ("计验证，", 0.9), ("材料验证", 0.93)])
    assert layout.vote_readings(first, [w("设计验证，材料验证", 0, 0, 400, 30, conf=1.0)]) is None


def test_vote_takes_a_date_whose_digit_the_first_engine_could_not_read():
    # Full seed 41's q06: the day's 1 read as `:` at 0.00.
    first = chars([("2026", 0.93), ("年", 0.86), ("12", 0.93), ("月", 0.93), ("3", 0.69), (":", 0.0), ("日", 0.93)])
    voted = layout.vote_readings(first, [w("2026年12月31日", 0, 0, 300, 30, conf=1.0)])
    assert voted is not None and layout.join_words(voted) == "2026年12月31日"
    # A day digit the first engine read surely otherwise: no vote.
    first = chars([("2026", 0.93), ("年", 0.86), ("12", 0.93), ("月", 0.93), ("37", 0.9), ("日", 0.93)])
    assert layout.vote_readings(first, [w("2026年12月31日", 0, 0, 300, 30, conf=1.0)]) is None
    # A number that is no date is not voted on.
    first = chars([("12", 0.93), (":", 0.0), ("5", 0.93)])
    assert layout.vote_readings(first, [w("1215", 0, 0, 100, 30, conf=1.0)]) is None


def test_vote_is_not_for_names():
    # Seed 11's q06: tesseract had nothing for 铖 (钱 at 0.0), RapidOCR read 城 at 0.95.
    first = chars([("粤", 0.8), ("钱", 0.0), ("宇", 0.6), ("半导体", 0.84)])
    assert layout.vote_readings(first, [w("粤城宇半导体", 0, 0, 240, 30, conf=0.96)]) is None


def test_vote_takes_a_masked_value_whose_visible_ends_both_engines_read():
    # Seed 11's q06: tesseract read the e-mail at 0.0, its ends as RapidOCR did.
    first = [w("wac'*Q@example.com", 0, 0, 300, 30, conf=0.0)]
    voted = layout.vote_readings(first, [w("wa***@example.com", 0, 0, 300, 30, conf=0.98)])
    assert voted is not None and layout.join_words(voted) == "wa***@example.com"
    # Another domain on the first reading: no vote.
    first = [w("wac'*Q@example.cn", 0, 0, 300, 30, conf=0.0)]
    assert layout.vote_readings(first, [w("wa***@example.com", 0, 0, 300, 30, conf=0.98)]) is None
    # The first engine surely read letters where the second saw the mask: no vote.
    first = [w("wang@example.com", 0, 0, 300, 30, conf=0.95)]
    assert layout.vote_readings(first, [w("wa***@example.com", 0, 0, 300, 30, conf=0.98)]) is None


def test_vote_takes_a_masked_e_mail_whose_head_the_first_engine_could_not_read():
    # Seed 53's q06: tesseract read `li***@example.net` as `=**@example.net` at 0.00.
    first = [w("=**@example.net", 0, 0, 300, 30, conf=0.0)]
    voted = layout.vote_readings(first, [w("li***@example.net", 0, 0, 300, 30, conf=0.95)])
    assert voted is not None and layout.join_words(voted) == "li***@example.net"
    # Or no mask at all, its head garbage (`GO@example.net`): the page check finds the mask later.
    voted = layout.vote_readings([w("GO@example.net", 0, 0, 300, 30, conf=0.0)],
                                 [w("li***@example.net", 0, 0, 300, 30, conf=0.95)])
    assert voted is not None and layout.join_words(voted) == "li***@example.net"
    # The head then rests on the second engine alone: it must be sure of it.
    assert layout.vote_readings(first, [w("li***@example.net", 0, 0, 300, 30, conf=0.85)]) is None
    # Another domain: no vote, however unsure the head.
    assert layout.vote_readings(first, [w("li***@example.com", 0, 0, 300, 30, conf=0.98)]) is None
    # A head the first engine read surely, and differently, is a contradiction.
    sure = [w("lu***@example.net", 0, 0, 300, 30, conf=0.9)]
    assert layout.vote_readings(sure, [w("li***@example.net", 0, 0, 300, 30, conf=0.98)]) is None
    # A phone's digits likewise; a surname never (an open vocabulary: 铖 read 城).
    first = chars([("1S8", 0.2), ("**", 0.4), ("5678", 0.9)])
    assert layout.vote_readings(first, [w("138****5678", 0, 0, 300, 30, conf=0.97)]) is not None
    assert layout.vote_readings(chars([("邹", 0.3), ("**", 0.5)]), [w("郭**", 0, 0, 90, 30, conf=0.97)]) is None


def test_assign_to_cells_gives_each_word_to_the_first_cell_holding_its_centre():
    """The vectorised assignment against the plain loop it replaced, on overlapping cells and edges."""
    import random

    from pilot_intake.models import Word

    from extractors.layout import assign_to_cells

    rng = random.Random(3)
    cells = [(float(x), float(y), float(x + rng.choice([40, 80, 120])), float(y + rng.choice([30, 60])))
             for x in range(0, 400, 50) for y in range(0, 300, 45)]
    words = []
    for _ in range(400):
        x, y = rng.uniform(-20, 480), rng.uniform(-20, 380)
        words.append(Word(text="字", bbox=(x, y, x + rng.choice([0, 10, 30]), y + rng.choice([0, 12, 24]))))
    # Centres exactly on a cell's edge belong to it.
    words.append(Word(text="边", bbox=(40.0, 10.0, 60.0, 20.0)))

    def loop(words, cells):
        per_cell, loose = [[] for _ in cells], []
        for w in words:
            cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
            for i, b in enumerate(cells):
                if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]:
                    per_cell[i].append(w)
                    break
            else:
                loose.append(w)
        return per_cell, loose

    assert assign_to_cells(words, cells) == loop(words, cells)
    assert any(ws for ws in assign_to_cells(words, cells)[0]) and assign_to_cells(words, cells)[1]
    assert assign_to_cells([], cells) == ([[] for _ in cells], [])
    assert assign_to_cells(words, []) == ([], words)


def test_a_wrapped_cell_is_read_line_by_line_when_engines_are_compared():
    # Seed 53's q06: `…生产验` / `证` on a second line. Sorted by x alone the 证 came second
    # (`设证计验证…`), and boxes split differently by the two engines scrambled differently.
    line1 = [w(c, 40 * i, 0, 40 * i + 30, 30) for i, c in enumerate("设计验证，生产验")]
    line2 = [w("证", 0, 40, 30, 70)]
    assert layout.cell_reading(line2 + line1) == "设计验证，生产验证"
    assert layout.readings_agree(layout.cell_reading(line1 + line2), "设计验证,生产验证")
