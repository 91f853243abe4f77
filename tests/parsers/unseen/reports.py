"""Fifteen answers to letter 5422/BTTTT-CBC, in the wording provinces, ministries and press
agencies use: figures in tables with different header shapes, several figures in a sentence,
qualifiers and brackets between a figure and its keyword, one report covering three press
agencies, sections the outline lacks, sections renumbered, unnumbered paraphrased
sub-headings, Word placeholders and footnotes, spreadsheets."""
from __future__ import annotations

from unseen import NOWHERE, Frame, H, P, Report, T


def _frame(issuer, number, place, authority, position, signer, opening=None):
    return Frame(issuer, number, f"{place}, ngày 26 tháng 12 năm 2024",
                 opening or f"Thực hiện Công văn số 5422/BTTTT-CBC ngày 19/12/2024 của Bộ Thông tin và Truyền thông, "
                            f"{issuer.title()} báo cáo như sau:",
                 authority, position, signer)


THAI_BINH = _frame("ỦY BAN NHÂN DÂN TỈNH THÁI BÌNH", "Số: 312/BC-UBND", "Thái Bình", "TM. ỦY BAN NHÂN DÂN",
                   "KT. CHỦ TỊCH", "Nguyễn Khắc Thận")
BO_Y_TE = _frame("BỘ Y TẾ", "Số: 1588/BC-BYT", "Hà Nội", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Trần Văn Thuấn")
LAO_DONG = _frame("BÁO LAO ĐỘNG", "Số: 86/BC-BLĐ", "Hà Nội", "TỔNG BIÊN TẬP", "", "Nguyễn Ngọc Hiển")
HA_GIANG = _frame("ỦY BAN NHÂN DÂN TỈNH HÀ GIANG", "Số: 427/BC-UBND", "Hà Giang", "TM. ỦY BAN NHÂN DÂN",
                  "CHỦ TỊCH", "Nguyễn Văn Sơn")
QUANG_NAM = _frame("ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM", "Số: 265/BC-UBND", "Quảng Nam", "TM. ỦY BAN NHÂN DÂN",
                   "KT. CHỦ TỊCH", "Hồ Quang Bửu")
CAN_THO = _frame("SỞ THÔNG TIN VÀ TRUYỀN THÔNG THÀNH PHỐ CẦN THƠ", "Số: 2051/BC-STTTT", "Cần Thơ", "GIÁM ĐỐC",
                 "", "Trần Thanh Bình")
BO_CONG_THUONG = _frame("BỘ CÔNG THƯƠNG", "Số: 9876/BC-BCT", "Hà Nội", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG",
                        "Phan Thị Thắng")
VOV = _frame("ĐÀI TIẾNG NÓI VIỆT NAM", "Số: 3310/BC-TNVN", "Hà Nội", "TỔNG GIÁM ĐỐC", "", "Đỗ Tiến Sỹ")
LAM_DONG = _frame("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "Số: 318/BC-UBND", "Lâm Đồng", "TM. ỦY BAN NHÂN DÂN",
                  "KT. CHỦ TỊCH", "Võ Ngọc Hiệp")
HOI_NHA_BAO = _frame("HỘI NHÀ BÁO VIỆT NAM", "Số: 412/BC-HNBVN", "Hà Nội", "TM. BAN THƯỜNG TRỰC", "PHÓ CHỦ TỊCH",
                     "Nguyễn Đức Lợi")
NGHE_AN = _frame("ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH", "Số: 301/BC-UBND", "Bình Định", "TM. ỦY BAN NHÂN DÂN",
                 "KT. CHỦ TỊCH", "Lâm Hải Giang")
BO_TAI_CHINH = _frame("BỘ TÀI CHÍNH", "Số: 14022/BC-BTC", "Hà Nội", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Đức Chi")
DONG_THAP = _frame("ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP", "Số: 455/BC-UBND", "Đồng Tháp", "TM. ỦY BAN NHÂN DÂN",
                   "KT. CHỦ TỊCH", "Đoàn Tấn Bửu")
BAO_TIN_TUC = _frame("BÁO TIN TỨC - THÔNG TẤN XÃ VIỆT NAM", "Số: 77/BC-TTX", "Hà Nội", "TỔNG BIÊN TẬP", "",
                     "Vũ Việt Trang")
YEN_BAI = _frame("ỦY BAN NHÂN DÂN TỈNH YÊN BÁI", "Số: 288/BC-UBND", "Yên Bái", "TM. ỦY BAN NHÂN DÂN",
                 "KT. CHỦ TỊCH", "Vũ Thị Hiền Hạnh")

# Paragraphs most reports share for the parts of the outline that carry no figures.
TAIL_III = [
    H("1. Kết quả triển khai", "III.1"),
    P("Đã hoàn thành 11/14 nhiệm vụ của Kế hoạch, các nhiệm vụ còn lại đang triển khai đúng tiến độ."),
    H("2. Ưu điểm, thuận lợi", "III.2"),
    P("Cấp ủy, lãnh đạo các cơ quan báo chí quan tâm sát sao, đội ngũ phóng viên trẻ tiếp cận nhanh công nghệ mới."),
    H("3. Hạn chế và nguyên nhân", "III.3"),
    P("Nguồn kinh phí đầu tư cho chuyển đổi số còn hạn hẹp, chủ yếu dựa vào ngân sách nhà nước."),
    H("4. Bài học kinh nghiệm", "III.4"),
    P("Chuyển đổi số phải gắn với đổi mới quy trình sản xuất nội dung và đào tạo lại đội ngũ."),
]


def thai_binh() -> Report:
    """Province, bold capitals; two figures in one sentence; revenue only in a year table; a VI
    section after V."""
    return Report("tinh_thai_binh_bang_nam", "docx", THAI_BINH, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CÁC CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        P("Tỉnh hiện có 03 cơ quan báo chí: Báo Thái Bình, Đài Phát thanh và Truyền hình tỉnh, Tạp chí Khoa học "
          "và Đời sống."),
        H("1. Việc ban hành kế hoạch chuyển đổi số", "I.1"),
        P("Ngày 12/5/2023, Báo Thái Bình ban hành Kế hoạch số 45/KH-BTB về chuyển đổi số giai đoạn 2023 - 2025."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Đài Phát thanh và Truyền hình tỉnh đầu tư hệ thống sản xuất chương trình chuẩn HD với kinh phí "
          "18,5 tỷ đồng."),
        H("3. Nguồn lực phục vụ chuyển đổi số", "I.3"),
        P("Các cơ quan báo chí bố trí 42 phóng viên, kỹ thuật viên chuyên trách sản xuất nội dung số."),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4"),
        P("Báo Thái Bình vận hành tòa soạn hội tụ, ứng dụng trí tuệ nhân tạo chuyển văn bản thành giọng nói."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Năm 2024, tổng lượt truy cập các ấn phẩm điện tử của tỉnh đạt khoảng 1,2 tỷ lượt, lượt tương tác đạt "
          "45 triệu lượt."),
        P("Số lượng độc giả thường xuyên tăng 18% so với năm 2023."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số của các cơ quan báo chí trong tỉnh như sau:"),
        T((("Chỉ tiêu", "Năm 2023", "Năm 2024"),
           ("Doanh thu từ sản phẩm báo chí số (tỷ đồng)", "40,2", "45,6"),
           ("Tỷ lệ doanh thu số trên tổng doanh thu (%)", "28", "32"))),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Theo kết quả tự đánh giá, Báo Thái Bình đạt 68 điểm, xếp mức Khá."),
        H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"),
        P("Sở Thông tin và Truyền thông tổ chức 04 lớp tập huấn kỹ năng báo chí số cho 160 lượt học viên."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC CHUYỂN ĐỔI SỐ BÁO CHÍ", "III"),
        *TAIL_III,
        H("IV. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Hạ tầng lưu trữ dữ liệu của các cơ quan báo chí chưa đồng bộ, thiếu kết nối."),
        H("V. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Đề nghị Bộ Thông tin và Truyền thông hỗ trợ nền tảng phân tích dữ liệu độc giả dùng chung."),
        H("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2025", NOWHERE),
        P("Năm 2025, tỉnh tiếp tục hoàn thiện nền tảng số dùng chung cho các cơ quan báo chí của tỉnh."),
    ], [("views", 1_200_000_000), ("interactions", 45_000_000), ("reader_growth_pct", 18),
        ("digital_revenue_vnd", 45_600_000_000), ("digital_revenue_share_pct", 32),
        ("maturity_score", 68), ("maturity_level", 3)])


def bo_y_te() -> Report:
    """Ministry reporting for three press agencies with Word heading styles: every figure stated
    per agency; a PHỤ LỤC before the signature."""
    return Report("bo_y_te_ba_co_quan", "docx", BO_Y_TE, [
        H("I. Tình hình chuyển đổi số của các cơ quan báo chí trực thuộc Bộ", "I", "h1"),
        P("Bộ Y tế hiện quản lý 03 cơ quan báo chí: Báo Sức khỏe và Đời sống, Tạp chí Y học Việt Nam và Tạp chí "
          "Dược học."),
        H("1. Việc ban hành Kế hoạch chuyển đổi số của cơ quan báo chí", "I.1", "h2"),
        P("Cả 03 cơ quan báo chí đã ban hành kế hoạch chuyển đổi số giai đoạn 2023 - 2025."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2", "h2"),
        P("Báo Sức khỏe và Đời sống đầu tư studio sản xuất video và hệ thống máy chủ mới."),
        H("3. Nguồn lực (nhân lực/vật lực) phục vụ chuyển đổi số báo chí", "I.3", "h2"),
        P("Tổng số nhân lực làm công tác nội dung số của các cơ quan báo chí thuộc Bộ là 65 người."),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4", "h2"),
        P("Tạp chí Y học Việt Nam áp dụng hệ thống quản lý bài báo khoa học trực tuyến theo chuẩn quốc tế."),
        H("5. Kết quả phản hồi từ độc giả (lượng view, tương tác), tăng trưởng độc giả", "I.5", "h2"),
        P("Báo Sức khỏe và Đời sống: lượt xem đạt 850 triệu lượt, lượt tương tác đạt 12 triệu lượt."),
        P("Tạp chí Y học Việt Nam: lượt truy cập đạt 4.500.000 lượt, số người đọc tăng 22% so với năm 2023."),
        P("Tạp chí Dược học: lượt đọc đạt 1.250.000 lượt; lượt tương tác đạt 86.000 lượt."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6", "h2"),
        P("Doanh thu từ sản phẩm báo chí số của Báo Sức khỏe và Đời sống đạt 38,5 tỷ đồng, tăng 9,5% so với năm "
          "2023, chiếm 41% tổng doanh thu."),
        P("Doanh thu từ hoạt động báo chí số của Tạp chí Y học Việt Nam đạt 850 triệu đồng."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7", "h2"),
        P("Báo Sức khỏe và Đời sống tự đánh giá mức độ trưởng thành chuyển đổi số đạt mức Tốt."),
        H("II. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược", "II", "h1"),
        P("Bộ Y tế chỉ đạo các cơ quan báo chí số hóa toàn bộ kho tư liệu giai đoạn 2010 - 2020."),
        H("III. Kết quả triển khai Kế hoạch của cơ quan, đơn vị thực hiện Chiến lược", "III", "h1"),
        H("1. Kết quả triển khai", "III.1", "h2"),
        P("Các cơ quan báo chí thuộc Bộ đã chuyển sang mô hình tòa soạn đa phương tiện."),
        H("2. Ưu điểm, thuận lợi trong quá trình triển khai", "III.2", "h2"),
        P("Lãnh đạo Bộ quan tâm chỉ đạo, bố trí kinh phí kịp thời."),
        H("3. Hạn chế và nguyên nhân", "III.3", "h2"),
        P("Tạp chí chuyên ngành có lượng độc giả hẹp nên khó tạo nguồn thu từ quảng cáo trực tuyến."),
        H("4. Bài học kinh nghiệm", "III.4", "h2"),
        P("Phải xác định người đứng đầu cơ quan báo chí chịu trách nhiệm trực tiếp về chuyển đổi số."),
        H("IV. Khó khăn, vướng mắc", "IV", "h1"),
        P("Cơ chế đặt hàng sản phẩm báo chí số chưa được ban hành."),
        H("V. Đề xuất, kiến nghị", "V", "h1"),
        P("Kiến nghị Bộ Thông tin và Truyền thông sớm hướng dẫn định mức kinh tế - kỹ thuật cho báo chí số."),
        H("PHỤ LỤC: DANH MỤC VĂN BẢN ĐÃ BAN HÀNH", NOWHERE, "h1"),
        T((("STT", "Văn bản", "Ngày ban hành"),
           ("1", "Kế hoạch số 120/KH-BYT về chuyển đổi số báo chí", "15/3/2023"),
           ("2", "Quyết định số 2034/QĐ-BYT về tòa soạn hội tụ", "20/7/2024"))),
    ], [("views", 850_000_000), ("interactions", 12_000_000), ("views", 4_500_000), ("reader_growth_pct", 22),
        ("views", 1_250_000), ("interactions", 86_000), ("digital_revenue_vnd", 38_500_000_000),
        ("digital_revenue_growth_pct", 9.5), ("digital_revenue_share_pct", 41), ("digital_revenue_vnd", 850_000_000),
        ("maturity_level", 4)])


def bao_lao_dong() -> Report:
    """A newspaper about itself: brackets and qualifiers between keyword and figure, "1)" subs."""
    return Report("bao_lao_dong_ngoac_uoc_dat", "docx", LAO_DONG, [
        H("I. THỰC TRẠNG CHUYỂN ĐỔI SỐ CỦA BÁO LAO ĐỘNG", "I"),
        H("1) Ban hành Kế hoạch chuyển đổi số", "I.1"),
        P("Ban Biên tập ban hành Kế hoạch chuyển đổi số số 12/KH-BLĐ ngày 03/3/2023."),
        H("2) Đầu tư cơ sở vật chất, trang thiết bị", "I.2"),
        P("Báo đã thay thế toàn bộ máy trạm biên tập và thuê dịch vụ điện toán đám mây."),
        H("3) Nguồn nhân lực, vật lực phục vụ chuyển đổi số báo chí", "I.3"),
        P("Ban Điện tử có 38 phóng viên, biên tập viên được đào tạo kỹ năng đa nền tảng."),
        H("4) Ứng dụng công nghệ trong triển khai sản phẩm báo chí số", "I.4"),
        P("Báo ứng dụng công nghệ phân tích dữ liệu để gợi ý tin bài theo sở thích bạn đọc."),
        H("5) Kết quả phản hồi từ độc giả, tăng trưởng độc giả", "I.5"),
        P("Tổng lượt tương tác (thích, bình luận, chia sẻ) trên các nền tảng mạng xã hội đạt 6,8 triệu lượt."),
        P("Lượt xem video trên kênh YouTube và TikTok của Báo ước đạt 320 triệu lượt."),
        P("Số người theo dõi các trang mạng xã hội của Báo tăng gần 30% so với cùng kỳ."),
        H("6) Doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ các sản phẩm báo chí số (quảng cáo trực tuyến, nội dung trả phí) đạt trên 12 tỷ đồng, "
          "chiếm khoảng 26% tổng doanh thu của Báo."),
        H("7) Mức độ trưởng thành chuyển đổi số", "I.7"),
        P("Kết quả tự đánh giá theo Bộ chỉ số đạt 71,5 điểm, mức độ trưởng thành: Khá."),
        H("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ ĐƯỢC GIAO", "II"),
        P("Báo đã hoàn thành nhiệm vụ xây dựng cơ sở dữ liệu bạn đọc tập trung."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC CHUYỂN ĐỔI SỐ BÁO CHÍ", "III"),
        H("1) Kết quả đạt được", "III.1"),
        P("Báo ra mắt ấn phẩm điện tử dành cho công nhân lao động tại các khu công nghiệp."),
        H("2) Thuận lợi, ưu điểm", "III.2"),
        P("Tổng Liên đoàn Lao động Việt Nam hỗ trợ kinh phí đầu tư ban đầu."),
        H("3) Tồn tại, hạn chế và nguyên nhân", "III.3"),
        P("Doanh thu quảng cáo trực tuyến phụ thuộc nhiều vào các nền tảng xuyên biên giới."),
        H("4) Bài học kinh nghiệm rút ra", "III.4"),
        P("Lấy bạn đọc làm trung tâm trong mọi quyết định về sản phẩm số."),
        H("IV. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Chi phí bản quyền phần mềm và dịch vụ đám mây tăng nhanh."),
        H("V. KIẾN NGHỊ, ĐỀ XUẤT", "V"),
        P("Đề nghị có chính sách ưu đãi thuế đối với doanh thu từ sản phẩm báo chí số."),
    ], [("interactions", 6_800_000), ("views", 320_000_000), ("reader_growth_pct", 30),
        ("digital_revenue_vnd", 12_000_000_000), ("digital_revenue_share_pct", 26),
        ("maturity_score", 71.5), ("maturity_level", 3)])


def ha_giang() -> Report:
    """Province that wrote its proposals before its difficulties and numbered them by position."""
    return Report("tinh_ha_giang_de_xuat_truoc", "docx", HA_GIANG, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        H("1. Việc ban hành Kế hoạch chuyển đổi số", "I.1"),
        P("Báo Hà Giang ban hành Kế hoạch chuyển đổi số tại Quyết định số 89/QĐ-BHG ngày 10/4/2023."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Tỉnh bố trí kinh phí nâng cấp đường truyền cáp quang cho Báo và Đài."),
        H("3. Nguồn lực phục vụ chuyển đổi số báo chí", "I.3"),
        P("Đội ngũ làm báo điện tử gồm 19 người, phần lớn kiêm nhiệm nhiều khâu."),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4"),
        P("Báo Hà Giang phát hành ấn phẩm điện tử bằng tiếng Mông và tiếng Dao."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Báo điện tử Hà Giang có 98 triệu lượt truy cập trong năm 2024."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số còn thấp, đạt 1,35 tỷ đồng."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Báo Hà Giang tự đánh giá ở mức trung bình."),
        H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC CHUYỂN ĐỔI SỐ BÁO CHÍ", "II"),
        P("Tỉnh hoàn thành việc đưa các kênh phát thanh lên nền tảng số."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH CỦA CƠ QUAN, ĐƠN VỊ", "III"),
        *TAIL_III,
        H("IV. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Đề nghị Trung ương hỗ trợ kinh phí cho báo chí các tỉnh miền núi đặc biệt khó khăn."),
        H("V. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Địa hình chia cắt, hạ tầng viễn thông vùng sâu còn yếu."),
    ], [("views", 98_000_000), ("digital_revenue_vnd", 1_350_000_000), ("maturity_level", 2)])


def quang_nam() -> Report:
    """Province whose sub-items are unnumbered bold paraphrases ("Về ...", "Những kết quả chủ yếu")."""
    return Report("tinh_quang_nam_ve_khong_so", "docx", QUANG_NAM, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CÁC CƠ QUAN BÁO CHÍ", "I"),
        H("Về xây dựng kế hoạch", "I.1"),
        P("Báo Quảng Nam và Đài Phát thanh - Truyền hình tỉnh đều đã có kế hoạch chuyển đổi số riêng."),
        H("Về đầu tư trang thiết bị", "I.2"),
        P("Đài được đầu tư xe truyền hình lưu động và hệ thống phát sóng số."),
        H("Về nguồn nhân lực", "I.3"),
        P("Đã cử 25 cán bộ tham gia các khóa bồi dưỡng về báo chí dữ liệu."),
        H("Về ứng dụng công nghệ", "I.4"),
        P("Ứng dụng di động QNTV cho phép xem trực tiếp các kênh truyền hình của tỉnh."),
        H("Về phản hồi của độc giả", "I.5"),
        P("Các nền tảng số của Báo và Đài thu hút 410 triệu lượt xem, 9,2 triệu lượt tương tác."),
        H("Về doanh thu", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số năm 2024 đạt 21,3 tỷ đồng, tăng 11% so với năm 2023."),
        H("Về mức độ trưởng thành", "I.7"),
        P("Đài Phát thanh - Truyền hình tỉnh đạt mức độ trưởng thành chuyển đổi số loại Khá."),
        H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO", "II"),
        P("Về công tác tuyên truyền, các cơ quan báo chí mở chuyên mục chuyển đổi số trên sóng và trên báo."),
        P("Các cơ quan báo chí phối hợp xây dựng kho dữ liệu số về văn hóa xứ Quảng."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC", "III"),
        H("Những kết quả chủ yếu", "III.1"),
        P("Hoàn thành hợp nhất Báo và Đài theo mô hình cơ quan báo chí đa phương tiện."),
        H("Thuận lợi", "III.2"),
        P("Tỉnh ủy, Ủy ban nhân dân tỉnh quan tâm, chỉ đạo quyết liệt."),
        H("Tồn tại, hạn chế và nguyên nhân", "III.3"),
        P("Sau sắp xếp tổ chức, quy trình sản xuất nội dung số chưa thật sự thống nhất."),
        H("Bài học kinh nghiệm", "III.4"),
        P("Đầu tư có trọng tâm, tránh dàn trải."),
        H("IV. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Thiếu chuyên gia về an toàn thông tin cho hệ thống phát sóng số."),
        H("V. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Kiến nghị Bộ tổ chức tập huấn chuyên sâu về an toàn thông tin cho cơ quan báo chí địa phương."),
    ], [("views", 410_000_000), ("interactions", 9_200_000), ("digital_revenue_vnd", 21_300_000_000),
        ("digital_revenue_growth_pct", 11), ("maturity_level", 3)])


def can_tho() -> Report:
    """A department's plain-text mail: unnumbered, unstyled paraphrased sub-headings and Vietnamese
    number forms ("1.234.567 lượt", "45.000 lượt")."""
    return Report("so_can_tho_thu_van_ban", "text", CAN_THO, [
        H("I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", "I"),
        H("Công tác xây dựng kế hoạch chuyển đổi số", "I.1"),
        P("Báo Cần Thơ ban hành Kế hoạch chuyển đổi số ngày 08/6/2023."),
        H("Trang thiết bị, hạ tầng kỹ thuật", "I.2"),
        P("Thành phố đầu tư hệ thống camera và máy dựng phi tuyến cho Đài Phát thanh và Truyền hình."),
        H("Nhân lực cho chuyển đổi số", "I.3"),
        P("Mỗi cơ quan báo chí bố trí ít nhất 02 cán bộ chuyên trách công nghệ thông tin."),
        H("Ứng dụng công nghệ số", "I.4"),
        P("Báo Cần Thơ triển khai phát hành báo in song song với báo điện tử trên ứng dụng di động."),
        H("Tương tác, phản hồi của độc giả", "I.5"),
        P("Trong năm, Báo điện tử Cần Thơ ghi nhận 1.234.567 lượt xem và 45.000 lượt tương tác."),
        H("Doanh thu báo chí số", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số đạt 2.350.000.000 đồng, tăng 8,5% so với năm trước."),
        H("Mức độ trưởng thành chuyển đổi số", "I.7"),
        P("Báo Cần Thơ đạt 55 điểm, mức trung bình."),
        H("II. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược", "II"),
        P("Thành phố đã đưa 100% chương trình thời sự lên nền tảng số."),
        H("III. Kết quả triển khai Kế hoạch thực hiện Chiến lược chuyển đổi số báo chí", "III"),
        H("Kết quả nổi bật", "III.1"),
        P("Đã vận hành hệ thống quản lý nội dung dùng chung cho Báo và Đài."),
        H("Thuận lợi", "III.2"),
        P("Hạ tầng viễn thông trên địa bàn thành phố phát triển tốt."),
        H("Hạn chế, nguyên nhân", "III.3"),
        P("Nội dung số chưa đa dạng do thiếu người làm đồ họa và video ngắn."),
        H("Bài học", "III.4"),
        P("Cần học hỏi mô hình của các cơ quan báo chí đã chuyển đổi số thành công."),
        H("IV. Khó khăn, vướng mắc", "IV"),
        P("Kinh phí duy trì hệ thống hằng năm lớn so với nguồn thu."),
        H("V. Đề xuất, kiến nghị", "V"),
        P("Đề nghị hỗ trợ thành phố xây dựng trung tâm dữ liệu báo chí vùng Đồng bằng sông Cửu Long."),
    ], [("views", 1_234_567), ("interactions", 45_000), ("digital_revenue_vnd", 2_350_000_000),
        ("digital_revenue_growth_pct", 8.5), ("maturity_score", 55), ("maturity_level", 2)])


def bo_cong_thuong() -> Report:
    """Ministry, figures only in tables with an STT column, a unit column and a plan column."""
    return Report("bo_cong_thuong_bang_don_vi_tinh", "docx", BO_CONG_THUONG, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        P("Bộ Công Thương có Báo Công Thương và Tạp chí Công Thương."),
        H("1. Việc ban hành Kế hoạch chuyển đổi số", "I.1"),
        P("Báo Công Thương ban hành Kế hoạch chuyển đổi số giai đoạn 2023 - 2025 kèm lộ trình chi tiết."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Tạp chí Công Thương nâng cấp hệ thống máy chủ và bảo mật."),
        H("3. Nguồn lực phục vụ chuyển đổi số báo chí", "I.3"),
        P("Báo Công Thương thành lập Ban Nội dung số với 30 nhân sự."),
        H("4. Ứng dụng công nghệ", "I.4"),
        P("Báo triển khai podcast và bản tin video ngắn trên các nền tảng số."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        T((("STT", "Chỉ tiêu", "Đơn vị tính", "Năm 2023", "Năm 2024"),
           ("1", "Lượt truy cập báo điện tử", "lượt", "38.000.000", "45.000.000"),
           ("2", "Lượt tương tác trên mạng xã hội", "lượt", "2.100.000", "2.650.000"),
           ("3", "Tăng trưởng độc giả", "%", "12", "15"))),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        T((("STT", "Nội dung", "ĐVT", "2023", "2024", "Kế hoạch 2025"),
           ("1", "Doanh thu từ sản phẩm báo chí số", "triệu đồng", "12.500", "14.300", "16.000"),
           ("2", "Tỷ trọng doanh thu số trong tổng doanh thu", "%", "21,5", "24,8", "27"))),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số", "I.7"),
        P("Báo Công Thương đạt mức độ trưởng thành Khá."),
        H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"),
        P("Bộ đã ban hành quy chế quản lý nội dung số của các cơ quan báo chí thuộc Bộ."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH CỦA CƠ QUAN, ĐƠN VỊ", "III"),
        *TAIL_III,
        H("IV. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Thủ tục mua sắm thiết bị công nghệ kéo dài."),
        H("V. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Đề nghị đơn giản hóa thủ tục thuê dịch vụ công nghệ thông tin."),
    ], [("views", 45_000_000), ("interactions", 2_650_000), ("reader_growth_pct", 15),
        ("digital_revenue_vnd", 14_300_000_000), ("digital_revenue_share_pct", 24.8), ("maturity_level", 3)])


def vov() -> Report:
    """A national broadcaster's HTML mail: a table headed by bare years, its unit in a caption."""
    return Report("dai_tieng_noi_bang_html", "html", VOV, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        H("1. Việc ban hành Kế hoạch chuyển đổi số của cơ quan báo chí", "I.1"),
        P("Đài ban hành Chiến lược phát triển nền tảng số VOV đến năm 2030."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Đài đầu tư trung tâm dữ liệu và hệ thống phát thanh có hình."),
        H("3. Nguồn lực phục vụ chuyển đổi số báo chí", "I.3"),
        P("Đài tuyển dụng thêm kỹ sư dữ liệu và chuyên gia trí tuệ nhân tạo."),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4"),
        P("Ứng dụng VOVgo tích hợp phát thanh trực tuyến, podcast và sách nói."),
        H("5. Kết quả phản hồi từ độc giả, tăng trưởng độc giả", "I.5"),
        P("Lượt nghe trên các nền tảng số đạt 2,1 tỷ lượt, tăng 35% so với năm 2023."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Đơn vị tính: triệu đồng"),
        T((("Nội dung", "2022", "2023", "2024"),
           ("Doanh thu từ sản phẩm báo chí số", "7.200", "8.500", "9.750"),
           ("Tổng doanh thu", "61.000", "63.400", "65.000"))),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Đài tự đánh giá đạt 80/100 điểm."),
        H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"),
        P("Đài hoàn thành nền tảng phát thanh số quốc gia theo nhiệm vụ được giao."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH CỦA CƠ QUAN, ĐƠN VỊ THỰC HIỆN CHIẾN LƯỢC", "III"),
        *TAIL_III,
        H("IV. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Cạnh tranh gay gắt với các nền tảng âm thanh xuyên biên giới."),
        H("V. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Đề nghị ưu tiên tần số và hạ tầng cho phát thanh số."),
    ], [("views", 2_100_000_000), ("reader_growth_pct", 35), ("digital_revenue_vnd", 9_750_000_000),
        ("maturity_score", 80)])


def lam_dong() -> Report:
    """Province, plain (unstyled) labels, letters for sub-items, one clause after another."""
    return Report("tinh_lam_dong_nhieu_chi_so", "docx", LAM_DONG, [
        H("I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", "I", "plain"),
        H("a) Việc ban hành Kế hoạch chuyển đổi số", "I.1", "plain"),
        P("Báo Lâm Đồng ban hành kế hoạch chuyển đổi số từ tháng 02/2023."),
        H("b) Đầu tư trang thiết bị, cơ sở vật chất", "I.2", "plain"),
        P("Đầu tư phần mềm quản trị tòa soạn điện tử và thiết bị quay dựng 4K."),
        H("c) Nguồn lực phục vụ chuyển đổi số", "I.3", "plain"),
        P("Nhân lực báo chí số của tỉnh gồm 33 người."),
        H("d) Ứng dụng công nghệ", "I.4", "plain"),
        P("Báo Lâm Đồng xuất bản báo điện tử bằng tiếng Anh và tiếng K'Ho."),
        H("đ) Kết quả phản hồi từ độc giả", "I.5", "plain"),
        P("Các ấn phẩm điện tử thu hút 210 triệu lượt xem và 5,4 triệu lượt tương tác, lượng độc giả tăng 14,5%."),
        H("e) Kết quả tăng trưởng doanh thu", "I.6", "plain"),
        P("Doanh thu báo chí số đạt 4,8 tỷ đồng, tăng 20% so với năm 2023; chiếm 17% tổng doanh thu."),
        H("g) Mức độ trưởng thành chuyển đổi số", "I.7", "plain"),
        P("Báo Lâm Đồng đạt mức độ trưởng thành chuyển đổi số: mức 3."),
        H("II. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược", "II", "plain"),
        P("Tỉnh hoàn thành kết nối hệ thống thông tin nguồn với các cơ quan báo chí."),
        H("III. Kết quả triển khai Kế hoạch thực hiện Chiến lược", "III", "plain"),
        H("a) Kết quả triển khai", "III.1", "plain"),
        P("Các cơ quan báo chí đều có trang thông tin trên mạng xã hội chính thức."),
        H("b) Ưu điểm, thuận lợi", "III.2", "plain"),
        P("Sự phối hợp giữa Sở và các cơ quan báo chí chặt chẽ."),
        H("c) Hạn chế và nguyên nhân", "III.3", "plain"),
        P("Chưa có giải pháp đo lường độc giả thống nhất."),
        H("d) Bài học kinh nghiệm", "III.4", "plain"),
        P("Cần đặt mục tiêu cụ thể, đo lường được cho từng năm."),
        H("IV. Khó khăn, vướng mắc", "IV", "plain"),
        P("Giá thuê băng thông quốc tế cao."),
        H("V. Đề xuất, kiến nghị", "V", "plain"),
        P("Kiến nghị xây dựng bộ công cụ đo lường độc giả dùng chung toàn quốc."),
    ], [("views", 210_000_000), ("interactions", 5_400_000), ("reader_growth_pct", 14.5),
        ("digital_revenue_vnd", 4_800_000_000), ("digital_revenue_growth_pct", 20), ("digital_revenue_share_pct", 17),
        ("maturity_level", 3)])


def hoi_nha_bao() -> Report:
    """Association reporting for its press agencies; numbered sections renumbered (no IV, so the
    proposals are "IV."), then a "V." part that no outline node has."""
    return Report("hoi_nha_bao_danh_so_lai", "docx", HOI_NHA_BAO, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        P("Hội có 03 cơ quan báo chí: Báo Nhà báo và Công luận, Tạp chí Người làm báo, Tạp chí Nghề báo."),
        H("1. Việc ban hành Kế hoạch chuyển đổi số", "I.1"),
        P("Cả ba cơ quan đã có kế hoạch chuyển đổi số được Thường trực Hội phê duyệt."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Báo Nhà báo và Công luận thuê hạ tầng đám mây thay cho máy chủ riêng."),
        H("3. Nguồn lực phục vụ chuyển đổi số báo chí", "I.3"),
        P("Hội phối hợp Học viện Báo chí và Tuyên truyền đào tạo kỹ năng số cho hội viên."),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4"),
        P("Tạp chí Người làm báo phát hành số đặc biệt dạng longform tương tác."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Báo Nhà báo và Công luận đạt 150 triệu lượt truy cập; Tạp chí Người làm báo đạt 12 triệu lượt truy "
          "cập; Tạp chí Nghề báo đạt 3,5 triệu lượt truy cập."),
        H("6. Doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số của Báo Nhà báo và Công luận đạt 9 tỷ đồng, của Tạp chí Người làm báo "
          "đạt 1,1 tỷ đồng."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số", "I.7"),
        P("Các cơ quan chưa tổ chức tự đánh giá theo Bộ chỉ số."),
        H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"),
        P("Hội tổ chức Giải Báo chí quốc gia có hạng mục riêng cho tác phẩm báo chí số."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC CHUYỂN ĐỔI SỐ BÁO CHÍ", "III"),
        *TAIL_III,
        H("IV. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Đề nghị Bộ Thông tin và Truyền thông phối hợp với Hội xây dựng bộ tiêu chí đánh giá tác phẩm báo chí số."),
        H("V. PHƯƠNG HƯỚNG THỜI GIAN TỚI", NOWHERE),
        P("Hội sẽ tập trung bồi dưỡng kỹ năng báo chí dữ liệu cho hội viên trong năm 2025."),
    ], [("views", 150_000_000), ("views", 12_000_000), ("views", 3_500_000),
        ("digital_revenue_vnd", 9_000_000_000), ("digital_revenue_vnd", 1_100_000_000)], missing=frozenset({"IV"}))


def binh_dinh() -> Report:
    """Province, caps headings; revenue and share only in a table with the unit in the year headers
    and one more column after the year's ("Tăng/giảm")."""
    return Report("tinh_binh_dinh_don_vi_o_tieu_de", "docx", NGHE_AN, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        H("1. VIỆC BAN HÀNH KẾ HOẠCH CHUYỂN ĐỔI SỐ", "I.1"),
        P("Báo Bình Định ban hành Kế hoạch số 25/KH-BBĐ ngày 20/4/2023."),
        H("2. ĐẦU TƯ TRANG THIẾT BỊ, CƠ SỞ VẬT CHẤT", "I.2"),
        P("Ngân sách tỉnh cấp 6,2 tỷ đồng mua sắm thiết bị sản xuất nội dung số."),
        H("3. NGUỒN LỰC PHỤC VỤ CHUYỂN ĐỔI SỐ BÁO CHÍ", "I.3"),
        P("Báo có 12 kỹ thuật viên công nghệ thông tin."),
        H("4. ỨNG DỤNG CÔNG NGHỆ", "I.4"),
        P("Báo Bình Định triển khai thu phí đọc báo điện tử đối với các bài chuyên sâu."),
        H("5. KẾT QUẢ PHẢN HỒI TỪ ĐỘC GIẢ", "I.5"),
        P("Lượt truy cập Báo Bình Định điện tử đạt gần 300 triệu lượt, bình quân 820.000 lượt/ngày."),
        H("6. KẾT QUẢ TĂNG TRƯỞNG DOANH THU", "I.6"),
        T((("Chỉ tiêu", "Năm 2023 (triệu đồng)", "Năm 2024 (triệu đồng)", "Tăng/giảm (%)"),
           ("Doanh thu từ sản phẩm báo chí số", "3.100", "3.720", "20"),
           ("Tổng doanh thu của Báo", "15.500", "16.200", "4,5"))),
        H("7. ĐÁNH GIÁ MỨC ĐỘ TRƯỞNG THÀNH CHUYỂN ĐỔI SỐ BÁO CHÍ", "I.7"),
        P("Báo Bình Định xếp loại Trung bình theo Bộ chỉ số đánh giá mức độ trưởng thành chuyển đổi số."),
        H("II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"),
        P("Tỉnh đã số hóa 100% số báo in từ năm 1989 đến nay."),
        H("III. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC", "III"),
        *TAIL_III,
        H("IV. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Thu nhập của đội ngũ kỹ thuật thấp nên khó giữ người giỏi."),
        H("V. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Kiến nghị có cơ chế đặc thù về thu nhập cho nhân lực công nghệ của cơ quan báo chí."),
    ], [("views", 300_000_000), ("digital_revenue_vnd", 3_720_000_000), ("digital_revenue_growth_pct", 20),
        ("maturity_level", 2)])


def bo_tai_chinh() -> Report:
    """Ministry: a Word form with unfilled content controls and figures in footnotes."""
    return Report("bo_tai_chinh_mau_va_chu_thich", "docx", BO_TAI_CHINH, [
        H("I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", "I", "h1"),
        H("1. Việc ban hành Kế hoạch chuyển đổi số của cơ quan báo chí", "I.1", "h2"),
        P("Thời báo Tài chính Việt Nam ban hành Kế hoạch chuyển đổi số năm 2023.",
          footnote="Kế hoạch số 15/KH-TBTC ngày 06/02/2023 của Thời báo Tài chính Việt Nam."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2", "h2"),
        P("", placeholder=True),
        H("3. Nguồn lực (nhân lực/vật lực) phục vụ chuyển đổi số báo chí", "I.3", "h2"),
        P("Thời báo bố trí 20 biên tập viên nội dung số."),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4", "h2"),
        P("", placeholder=True),
        H("5. Kết quả phản hồi từ độc giả (lượng view, tương tác...), tăng trưởng độc giả", "I.5", "h2"),
        P("Lượt truy cập các ấn phẩm điện tử tăng mạnh trong năm 2024.",
          footnote="Tổng lượt truy cập năm 2024 đạt 64 triệu lượt."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6", "h2"),
        P("Doanh thu từ sản phẩm báo chí số đạt 5,6 tỷ đồng."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7", "h2"),
        P("", placeholder=True),
        H("II. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược", "II", "h1"),
        P("Bộ Tài chính hoàn thành việc kết nối dữ liệu thống kê tài chính công khai với các cơ quan báo chí."),
        H("III. Kết quả triển khai Kế hoạch của cơ quan, đơn vị thực hiện Chiến lược", "III", "h1"),
        H("1. Kết quả triển khai", "III.1", "h2"),
        P("Thời báo chuyển sang xuất bản số trước, in sau."),
        H("2. Ưu điểm, thuận lợi trong quá trình triển khai", "III.2", "h2"),
        P("Ngành Tài chính có hạ tầng công nghệ thông tin hiện đại."),
        H("3. Hạn chế và nguyên nhân", "III.3", "h2"),
        P("", placeholder=True),
        H("4. Bài học kinh nghiệm", "III.4", "h2"),
        P("Đổi mới phải đi trước một bước về quy trình."),
        H("IV. Khó khăn, vướng mắc", "IV", "h1"),
        P("Chưa có quy định về giá dịch vụ nội dung số."),
        H("V. Đề xuất, kiến nghị", "V", "h1"),
        P("Đề nghị ban hành hướng dẫn về giá dịch vụ nội dung số."),
    ], [("views", 64_000_000), ("digital_revenue_vnd", 5_600_000_000)])


def _sheet_body() -> list:
    return [
        H("I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", "I"),
        H("1. Việc ban hành Kế hoạch chuyển đổi số", "I.1"),
        P("Báo Đồng Tháp ban hành Kế hoạch chuyển đổi số ngày 14/3/2023."),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Đầu tư hệ thống lưu trữ 120 TB và phần mềm quản lý tư liệu."),
        H("3. Nguồn lực phục vụ chuyển đổi số báo chí", "I.3"),
        P("Có 16 người trực tiếp làm báo chí số."),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4"),
        P("Phát hành bản tin thời sự trên ứng dụng nhắn tin và mạng xã hội."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Tổng lượt xem trên các nền tảng số đạt 76 triệu lượt, lượt tương tác đạt 3,1 triệu lượt."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số đạt 2,9 tỷ đồng, chiếm 19% tổng doanh thu."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số", "I.7"),
        P("Tự đánh giá đạt 61 điểm, mức trưởng thành Trung bình."),
        H("II. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược", "II"),
        P("Hoàn thành số hóa kho ảnh tư liệu về Đồng Tháp Mười."),
        H("III. Kết quả triển khai Kế hoạch thực hiện Chiến lược", "III"),
        H("1. Kết quả triển khai", "III.1"),
        P("Vận hành tòa soạn hội tụ từ tháng 9/2024."),
        H("2. Ưu điểm, thuận lợi", "III.2"),
        P("Được tỉnh ưu tiên bố trí vốn đầu tư công."),
        H("3. Hạn chế và nguyên nhân", "III.3"),
        P("Đội ngũ còn thiếu kỹ năng phân tích dữ liệu."),
        H("4. Bài học kinh nghiệm", "III.4"),
        P("Phải đo lường hiệu quả từng sản phẩm số."),
        H("IV. Khó khăn, vướng mắc", "IV"),
        P("Nguồn thu quảng cáo giảm do cạnh tranh."),
        H("V. Đề xuất, kiến nghị", "V"),
        P("Đề nghị hỗ trợ đào tạo về báo chí dữ liệu."),
    ]


_SHEET_METRICS = [("views", 76_000_000), ("interactions", 3_100_000), ("digital_revenue_vnd", 2_900_000_000),
                  ("digital_revenue_share_pct", 19), ("maturity_score", 61), ("maturity_level", 2)]


def dong_thap_xlsx() -> Report:
    """Province that filled the outline in a spreadsheet: headings in column A, content in B."""
    return Report("tinh_dong_thap_xlsx_cot", "xlsx", DONG_THAP, _sheet_body(), list(_SHEET_METRICS))


def bao_tin_tuc_xlsx() -> Report:
    """Press agency spreadsheet with heading rows and content rows, revenue in a table block."""
    body = _sheet_body()
    i = next(k for k, it in enumerate(body) if isinstance(it, H) and it.sid == "I.6")
    body[i + 1] = T((("Chỉ tiêu", "Năm 2023", "Năm 2024"),
                     ("Doanh thu từ sản phẩm báo chí số (triệu đồng)", "2.400", "2.900"),
                     ("Tỷ lệ doanh thu số/tổng doanh thu (%)", "16", "19")))
    return Report("bao_tin_tuc_xlsx_dong", "xlsx", BAO_TIN_TUC, body, list(_SHEET_METRICS), xlsx_layout="rows")


def yen_bai() -> Report:
    """Province: sub-items as "1.1."-style numbers, views stated per month as well as in total."""
    return Report("tinh_yen_bai_so_kep", "text", YEN_BAI, [
        H("1. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        H("1.1. Ban hành Kế hoạch chuyển đổi số", "I.1"),
        P("Báo Yên Bái ban hành kế hoạch chuyển đổi số tháng 5/2023."),
        H("1.2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Đầu tư 2,4 tỷ đồng cho hệ thống máy chủ và phần mềm."),
        H("1.3. Nguồn lực phục vụ chuyển đổi số", "I.3"),
        P("Có 14 phóng viên được đào tạo làm báo đa phương tiện."),
        H("1.4. Ứng dụng công nghệ", "I.4"),
        P("", placeholder=True),
        H("1.5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Trung bình mỗi tháng Báo điện tử Yên Bái có 4 triệu lượt truy cập, cả năm đạt trên 48 triệu lượt truy "
          "cập; lượng bạn đọc tăng 9% so với năm 2023."),
        H("1.6. Kết quả tăng trưởng doanh thu", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số ước đạt 950 triệu đồng, tăng 12,5%."),
        H("1.7. Đánh giá mức độ trưởng thành chuyển đổi số", "I.7"),
        P("Báo Yên Bái đạt mức trưởng thành Trung bình, 52/100 điểm."),
        H("2. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"),
        P("Tỉnh đã tích hợp báo điện tử với cổng thông tin điện tử của tỉnh."),
        H("3. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC", "III"),
        H("3.1. Kết quả triển khai", "III.1"),
        P("Hoàn thành 8/10 chỉ tiêu của kế hoạch năm 2024."),
        H("3.2. Ưu điểm, thuận lợi", "III.2"),
        P("Có sự đồng thuận của cán bộ, phóng viên."),
        H("3.3. Hạn chế và nguyên nhân", "III.3"),
        P("Hạ tầng mạng vùng cao chưa ổn định."),
        H("3.4. Bài học kinh nghiệm", "III.4"),
        P("Làm từng bước, chắc chắn, có đánh giá sau mỗi giai đoạn."),
        H("4. KHÓ KHĂN, VƯỚNG MẮC", "IV"),
        P("Kinh phí sự nghiệp cấp cho báo chí số còn ít."),
        H("5. ĐỀ XUẤT, KIẾN NGHỊ", "V"),
        P("Đề nghị Bộ hỗ trợ các tỉnh miền núi phần mềm quản trị tòa soạn."),
    ], [("views", 48_000_000), ("reader_growth_pct", 9), ("digital_revenue_vnd", 950_000_000),
        ("digital_revenue_growth_pct", 12.5), ("maturity_score", 52), ("maturity_level", 2)])


REPORTS = [thai_binh, bo_y_te, bao_lao_dong, ha_giang, quang_nam, can_tho, bo_cong_thuong, vov, lam_dong,
           hoi_nha_bao, binh_dinh, bo_tai_chinh, dong_thap_xlsx, bao_tin_tuc_xlsx, yen_bai]


def all_reports() -> list[Report]:
    from unseen.reports2 import REPORTS2  # noqa: PLC0415 - the second batch builds on this module

    return [make() for make in REPORTS + REPORTS2]
