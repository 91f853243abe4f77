"""A second batch of answers, written after the parser changes and not tuned to: figures
per press agency in a table with indicators as columns, figures without their unit
("đạt hơn 15 triệu"), "Lượt xem: 12.345.678", tables with "Thực hiện/Ước thực hiện"
columns and a comparison column, a reportlab PDF, letters as top-level labels."""
from __future__ import annotations

from unseen import NOWHERE, H, P, Report, T
from unseen.reports import TAIL_III, _frame

BAC_GIANG = _frame("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG", "Số: 512/BC-UBND", "Bắc Giang", "TM. ỦY BAN NHÂN DÂN",
                   "KT. CHỦ TỊCH", "Phan Thế Tuấn")
BO_QUOC_PHONG = _frame("BỘ QUỐC PHÒNG", "Số: 7021/BC-BQP", "Hà Nội", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG",
                       "Trịnh Văn Quyết")
BAO_NHAN_DAN = _frame("BÁO NHÂN DÂN", "Số: 215/BC-BND", "Hà Nội", "TỔNG BIÊN TẬP", "", "Lê Quốc Minh")
TIEN_GIANG = _frame("SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH TIỀN GIANG", "Số: 1880/BC-STTTT", "Tiền Giang", "GIÁM ĐỐC",
                    "", "Nguyễn Thị Kim Thủy")
BO_GIAO_DUC = _frame("BỘ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 2234/BC-BGDĐT", "Hà Nội", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG",
                     "Hoàng Minh Sơn")
KHANH_HOA = _frame("ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA", "Số: 398/BC-UBND", "Khánh Hòa", "TM. ỦY BAN NHÂN DÂN",
                   "KT. CHỦ TỊCH", "Trần Hòa Nam")


def _i_sub(plan: str, invest: str, people: str, tech: str) -> list:
    return [
        H("1. Việc ban hành Kế hoạch chuyển đổi số", "I.1"), P(plan),
        H("2. Đầu tư trang thiết bị, cơ sở vật chất", "I.2"), P(invest),
        H("3. Nguồn lực phục vụ chuyển đổi số báo chí", "I.3"), P(people),
        H("4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số", "I.4"), P(tech),
    ]


def _rest(ii: str, iv: str, v: str, top=("II", "III", "IV", "V")) -> list:
    a, b, c, d = top
    return [
        H(f"{a}. KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO TẠI CHIẾN LƯỢC", "II"), P(ii),
        H(f"{b}. KẾT QUẢ TRIỂN KHAI KẾ HOẠCH THỰC HIỆN CHIẾN LƯỢC", "III"), *TAIL_III,
        H(f"{c}. KHÓ KHĂN, VƯỚNG MẮC", "IV"), P(iv),
        H(f"{d}. ĐỀ XUẤT, KIẾN NGHỊ", "V"), P(v),
    ]


def bac_giang() -> Report:
    """Province: one table row per press agency, indicators as columns with their units."""
    return Report("tinh_bac_giang_bang_theo_co_quan", "docx", BAC_GIANG, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        *_i_sub("Báo Bắc Giang và Đài Phát thanh và Truyền hình tỉnh ban hành kế hoạch từ quý II/2023.",
                "Hai cơ quan được đầu tư phần mềm quản trị nội dung dùng chung.",
                "Tổng số 52 người tham gia sản xuất nội dung số.",
                "Đài phát sóng trực tuyến trên ứng dụng BGTV."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Kết quả cụ thể của từng cơ quan như sau:"),
        T((("TT", "Cơ quan báo chí", "Lượt truy cập (triệu lượt)", "Lượt tương tác (nghìn lượt)"),
           ("1", "Báo Bắc Giang", "125,4", "860"),
           ("2", "Đài Phát thanh và Truyền hình tỉnh", "48,2", "1.250"))),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        T((("TT", "Cơ quan báo chí", "Doanh thu từ sản phẩm báo chí số (triệu đồng)", "Tỷ lệ/tổng doanh thu (%)"),
           ("1", "Báo Bắc Giang", "4.200", "22"),
           ("2", "Đài Phát thanh và Truyền hình tỉnh", "2.750", "9,5"))),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Báo Bắc Giang đạt mức Khá; Đài Phát thanh và Truyền hình tỉnh đạt mức Trung bình."),
        *_rest("Tỉnh đã tổ chức Hội nghị tập huấn chuyển đổi số báo chí cho các cơ quan báo chí.",
               "Nguồn thu từ quảng cáo truyền thống giảm mạnh.",
               "Đề nghị hỗ trợ kinh phí thuê hạ tầng điện toán đám mây."),
    ], [("views", 125_400_000), ("interactions", 860_000), ("views", 48_200_000), ("interactions", 1_250_000),
        ("digital_revenue_vnd", 4_200_000_000), ("digital_revenue_share_pct", 22),
        ("digital_revenue_vnd", 2_750_000_000), ("digital_revenue_share_pct", 9.5),
        ("maturity_level", 3), ("maturity_level", 2)])


def bo_quoc_phong() -> Report:
    """Ministry: figures written without their unit, averages beside totals, a colon list."""
    return Report("bo_quoc_phong_so_khong_don_vi", "docx", BO_QUOC_PHONG, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CÁC CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        *_i_sub("Báo Quân đội nhân dân ban hành Đề án chuyển đổi số giai đoạn 2023 - 2025.",
                "Trung tâm dữ liệu của Báo được nâng cấp đạt chuẩn an toàn cấp độ 3.",
                "Báo có 64 phóng viên, biên tập viên làm báo điện tử đa phương tiện.",
                "Ứng dụng trí tuệ nhân tạo hỗ trợ biên dịch tin bài sang 4 ngoại ngữ."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Lượng truy cập bình quân đạt 2 triệu lượt/ngày; tổng lượng truy cập cả năm ước khoảng 730 triệu lượt."),
        P("Số lượt tương tác trên các trang mạng xã hội của Báo đạt hơn 15 triệu."),
        P("Truyền hình Quốc phòng Việt Nam: lượt xem: 12.345.678; lượt tương tác: 234.567."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ quảng cáo trên báo điện tử và các nền tảng số đạt 18,7 tỷ, tăng 6,3% so với năm 2023."),
        P("Tỷ trọng doanh thu số đạt 35,2%/tổng doanh thu."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Báo Quân đội nhân dân được đánh giá ở mức Tốt với 81 điểm."),
        *_rest("Bộ Quốc phòng chỉ đạo số hóa tư liệu lịch sử quân sự phục vụ báo chí.",
               "Yêu cầu bảo mật cao làm hạn chế việc sử dụng dịch vụ đám mây công cộng.",
               "Đề nghị có hướng dẫn riêng về chuyển đổi số đối với báo chí lực lượng vũ trang."),
    ], [("views", 730_000_000), ("interactions", 15_000_000), ("views", 12_345_678), ("interactions", 234_567),
        ("digital_revenue_vnd", 18_700_000_000), ("digital_revenue_growth_pct", 6.3),
        ("digital_revenue_share_pct", 35.2), ("maturity_score", 81), ("maturity_level", 4)])


def bao_nhan_dan() -> Report:
    """Newspaper: an indicator table with "Thực hiện 2023 | Ước thực hiện 2024 | So sánh (%)"
    and a unit column; a PHỤ LỤC of figures after the signature's closing sentence."""
    return Report("bao_nhan_dan_uoc_thuc_hien", "docx", BAO_NHAN_DAN, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA BÁO NHÂN DÂN", "I"),
        *_i_sub("Ban Biên tập ban hành Chiến lược chuyển đổi số của Báo Nhân Dân đến năm 2030.",
                "Báo đầu tư hệ thống sản xuất nội dung đa phương tiện và kho lưu trữ số.",
                "Ban Công nghệ thông tin và Ban Nhân Dân điện tử có tổng cộng 120 người.",
                "Báo phát hành ấn phẩm tương tác Special Edition và podcast hằng ngày."),
        H("5. Kết quả phản hồi từ độc giả, tăng trưởng độc giả", "I.5"),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Các chỉ tiêu chủ yếu của Báo trong năm như sau:"),
        T((("TT", "Chỉ tiêu", "ĐVT", "Thực hiện 2023", "Ước thực hiện 2024", "So sánh (%)"),
           ("1", "Lượt truy cập các ấn phẩm điện tử", "triệu lượt", "1.450", "1.620", "111,7"),
           ("2", "Doanh thu từ sản phẩm báo chí số", "tỷ đồng", "62,5", "70,1", "112,2"))),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Báo Nhân Dân tự đánh giá đạt mức độ trưởng thành Tốt."),
        *_rest("Báo hoàn thành nền tảng đa phương tiện theo nhiệm vụ tại Chiến lược.",
               "Sự cạnh tranh của mạng xã hội làm giảm lượng độc giả trẻ truy cập trực tiếp.",
               "Đề nghị có cơ chế đặt hàng sản phẩm báo chí số phục vụ nhiệm vụ chính trị."),
    ], [("views", 1_620_000_000), ("digital_revenue_vnd", 70_100_000_000), ("maturity_level", 4)])


def tien_giang_pdf() -> Report:
    """A department's report as a text PDF, with tables and a VI part."""
    return Report("so_tien_giang_pdf", "pdf", TIEN_GIANG, [
        H("I. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CƠ QUAN BÁO CHÍ TRỰC THUỘC", "I"),
        *_i_sub("Báo Ấp Bắc ban hành Kế hoạch chuyển đổi số số 18/KH-BAB ngày 21/3/2023.",
                "Tỉnh hỗ trợ kinh phí mua máy quay và phần mềm dựng cho Đài Phát thanh và Truyền hình.",
                "Các cơ quan báo chí có 28 người trực tiếp làm nội dung số.",
                "Báo Ấp Bắc phát hành bản tin âm thanh hằng ngày."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Năm 2024, Báo Ấp Bắc điện tử đạt 67 triệu lượt truy cập, tăng 13% so với năm 2023; lượt tương tác trên "
          "mạng xã hội đạt 2,4 triệu lượt."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số đạt 3,15 tỷ đồng, chiếm 21% tổng doanh thu."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Báo Ấp Bắc tự đánh giá mức độ trưởng thành chuyển đổi số đạt mức Trung bình."),
        *_rest("Tỉnh hoàn thành việc tích hợp nội dung báo chí lên Cổng thông tin điện tử tỉnh.",
               "Thiếu nhân lực có kỹ năng phân tích dữ liệu độc giả.",
               "Đề nghị Bộ tổ chức các lớp bồi dưỡng về báo chí dữ liệu tại khu vực phía Nam."),
        H("VI. NHIỆM VỤ, GIẢI PHÁP TRONG THỜI GIAN TỚI", NOWHERE),
        P("Tiếp tục nâng cao chất lượng nội dung số, ưu tiên video ngắn và podcast."),
    ], [("views", 67_000_000), ("reader_growth_pct", 13), ("interactions", 2_400_000),
        ("digital_revenue_vnd", 3_150_000_000), ("digital_revenue_share_pct", 21), ("maturity_level", 2)])


def bo_giao_duc() -> Report:
    """Ministry with top-level parts labelled A., B. … and run-in bold sub-items."""
    body = [
        H("A. TÌNH HÌNH CHUYỂN ĐỔI SỐ CỦA CÁC CƠ QUAN BÁO CHÍ TRỰC THUỘC BỘ", "I"),
        P("Bộ có Báo Giáo dục và Thời đại và Tạp chí Giáo dục."),
        *_i_sub("Báo Giáo dục và Thời đại ban hành Kế hoạch chuyển đổi số năm 2023.",
                "Tạp chí Giáo dục đầu tư hệ thống xuất bản trực tuyến.",
                "Hai cơ quan có 35 người làm nội dung số.",
                "Báo triển khai chuyên trang tư vấn tuyển sinh trực tuyến."),
        H("5. Kết quả phản hồi từ độc giả", "I.5"),
        P("Báo Giáo dục và Thời đại điện tử có 540 triệu lượt đọc, tăng 17% so với năm trước."),
        H("6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số của Báo đạt 26,4 tỷ đồng."),
        H("7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí", "I.7"),
        P("Báo Giáo dục và Thời đại tự đánh giá đạt 74 điểm."),
        *_rest("Bộ chỉ đạo đưa toàn bộ tạp chí khoa học giáo dục lên hệ thống xuất bản trực tuyến.",
               "Kinh phí cho chuyển đổi số của tạp chí khoa học còn hạn chế.",
               "Đề nghị có chính sách hỗ trợ tạp chí khoa học chuyển đổi số.", top=("B", "C", "D", "Đ")),
    ]
    return Report("bo_giao_duc_phan_chu_cai", "docx", BO_GIAO_DUC, body,
                  [("views", 540_000_000), ("reader_growth_pct", 17), ("digital_revenue_vnd", 26_400_000_000),
                   ("maturity_score", 74)])


def khanh_hoa_xlsx() -> Report:
    """Province spreadsheet "STT | Nội dung | Kết quả thực hiện" with the numbering in its own column."""
    body = [
        H("I Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", "I"),
        H("1 Việc ban hành Kế hoạch chuyển đổi số", "I.1"),
        P("Báo Khánh Hòa ban hành kế hoạch chuyển đổi số tháng 4/2023."),
        H("2 Đầu tư trang thiết bị, cơ sở vật chất", "I.2"),
        P("Đầu tư phòng thu podcast và thiết bị livestream."),
        H("3 Nguồn lực phục vụ chuyển đổi số báo chí", "I.3"),
        P("Có 21 người làm nội dung số."),
        H("4 Ứng dụng công nghệ", "I.4"),
        P("Xuất bản báo điện tử bằng tiếng Nga và tiếng Anh phục vụ du khách."),
        H("5 Kết quả phản hồi từ độc giả", "I.5"),
        P("Báo Khánh Hòa điện tử đạt 88 triệu lượt xem, 1,9 triệu lượt tương tác."),
        H("6 Kết quả tăng trưởng doanh thu", "I.6"),
        P("Doanh thu từ sản phẩm báo chí số đạt 5,2 tỷ đồng, tăng 16%."),
        H("7 Mức độ trưởng thành chuyển đổi số", "I.7"),
        P("Đạt mức Khá."),
        H("II Kết quả thực hiện nhiệm vụ được giao tại Chiến lược", "II"),
        P("Hoàn thành số hóa kho tư liệu báo in từ năm 1975."),
        H("III Kết quả triển khai Kế hoạch thực hiện Chiến lược", "III"),
        H("1 Kết quả triển khai", "III.1"), P("Vận hành tòa soạn số từ tháng 6/2024."),
        H("2 Ưu điểm, thuận lợi", "III.2"), P("Lãnh đạo tỉnh quan tâm."),
        H("3 Hạn chế và nguyên nhân", "III.3"), P("Thiếu kinh phí duy trì."),
        H("4 Bài học kinh nghiệm", "III.4"), P("Cần kiên trì và đo lường thường xuyên."),
        H("IV Khó khăn, vướng mắc", "IV"), P("Cạnh tranh với mạng xã hội."),
        H("V Đề xuất, kiến nghị", "V"), P("Đề nghị hỗ trợ đào tạo nhân lực số."),
    ]
    return Report("tinh_khanh_hoa_xlsx_stt", "xlsx", KHANH_HOA, body,
                  [("views", 88_000_000), ("interactions", 1_900_000), ("digital_revenue_vnd", 5_200_000_000),
                   ("digital_revenue_growth_pct", 16), ("maturity_level", 3)], xlsx_layout="numbered")


REPORTS2 = [bac_giang, bo_quoc_phong, bao_nhan_dan, tien_giang_pdf, bo_giao_duc, khanh_hoa_xlsx]
