"""Every UI string of the app in Bahasa Indonesia (the default) and English.

Pages never write user-facing text inline: they call :func:`t` with a key of
:data:`STRINGS`, so a test can check that every key has both languages and the language
switch shown on every page (:func:`language_switch`) changes all of it.
"""

from __future__ import annotations

from typing import Any

LANGS = ("id", "en")
DEFAULT_LANG = "id"
LANG_LABELS = {"id": "Bahasa Indonesia", "en": "English"}

#: key -> {"id": ..., "en": ...}; values may hold ``str.format`` fields.
STRINGS: dict[str, dict[str, str]] = {
    # --- app shell -------------------------------------------------------------------
    "app.title": {"id": "Kembaran Digital Kota Medan", "en": "Medan Digital Twin"},
    "app.lang": {"id": "Bahasa", "en": "Language"},
    "nav.planner": {"id": "Perencana", "en": "Planner"},
    "nav.wall": {"id": "Ruang Kendali", "en": "Command center"},
    "nav.story": {"id": "Presentasi", "en": "Presentation"},
    "nav.about": {"id": "Sumber data", "en": "Data sources"},
    "err.no_twin": {
        "id": "Belum ada snapshot kembaran. Jalankan dulu: {cmd}",
        "en": "No twin snapshot yet. Run first: {cmd}",
    },
    "err.user": {"id": "Masalah pada masukan: {msg}", "en": "Problem with the input: {msg}"},
    "err.no_store": {
        "id": "Penyimpanan umpan langsung kosong atau belum ada ({path}). Isi dengan: {cmd}",
        "en": "The live-feed store is empty or missing ({path}). Fill it with: {cmd}",
    },
    "err.no_sim": {
        "id": "Mesin skenario belum tersedia di instalasi ini.",
        "en": "The scenario engine is not available in this installation.",
    },
    # --- provenance ---------------------------------------------------------------------
    "prov.synthetic_roads": {
        "id": "Jaringan jalan SINTETIS (buatan, bukan OpenStreetMap): jangan dipakai untuk "
        "navigasi atau analisis nyata.",
        "en": "SYNTHETIC road network (invented, not OpenStreetMap): not for navigation or "
        "real analysis.",
    },
    "prov.real": {"id": "nyata", "en": "real"},
    "prov.synthetic": {"id": "sintetis", "en": "synthetic"},
    "prov.simulated": {"id": "simulasi", "en": "simulated"},
    "prov.title": {"id": "Asal data dan lisensi", "en": "Data provenance and licences"},
    "prov.layer": {"id": "Lapisan", "en": "Layer"},
    "prov.source": {"id": "Sumber", "en": "Source"},
    "prov.licence": {"id": "Lisensi", "en": "Licence"},
    "prov.attribution": {"id": "Atribusi", "en": "Attribution"},
    "prov.kind": {"id": "Jenis", "en": "Kind"},
    "prov.notes": {"id": "Catatan", "en": "Notes"},
    "prov.created": {"id": "Dibuat", "en": "Created"},
    "prov.snapshot": {"id": "Snapshot: {sid}", "en": "Snapshot: {sid}"},
    "prov.model": {
        "id": "Arus lalu lintas: hasil model (simulasi), bukan pengukuran.",
        "en": "Traffic flows: model output (simulated), not measurements.",
    },
    "prov.feed_simulated": {
        "id": "Umpan langsung berisi data SIMULASI ({n} rekaman).",
        "en": "The live feed holds SIMULATED data ({n} records).",
    },
    # --- map and layers -------------------------------------------------------------------
    "map.layers": {"id": "Lapisan peta", "en": "Map layers"},
    "layer.roads": {"id": "Jalan utama", "en": "Main roads"},
    "layer.local": {"id": "Jalan lingkungan (lebih lambat)", "en": "Local streets (slower)"},
    "layer.kecamatan": {"id": "Batas kecamatan", "en": "Kecamatan outlines"},
    "layer.kelurahan": {"id": "Batas kelurahan", "en": "Kelurahan outlines"},
    "layer.names": {"id": "Nama wilayah", "en": "Area names"},
    "layer.atcs": {"id": "Kamera ATCS", "en": "ATCS cameras"},
    "layer.h3_congestion": {"id": "H3: kemacetan", "en": "H3: congestion"},
    "layer.h3_complaints": {"id": "H3: aduan", "en": "H3: complaints"},
    "layer.hotspots": {"id": "Titik panas aduan (Gi*)", "en": "Complaint hotspots (Gi*)"},
    "layer.complaints": {"id": "Aduan warga", "en": "Citizen complaints"},
    "map.colour_by": {"id": "Warna jalan", "en": "Colour roads by"},
    "metric.vc": {"id": "V/C (volume/kapasitas)", "en": "V/C (volume/capacity)"},
    "metric.speed": {"id": "Kecepatan", "en": "Speed"},
    "metric.class": {"id": "Kelas jalan", "en": "Road class"},
    "legend.vc": {"id": "Rasio V/C", "en": "V/C ratio"},
    "legend.speed": {"id": "Kecepatan", "en": "Speed"},
    "legend.delta_vc": {"id": "Perubahan V/C", "en": "Change in V/C"},
    "legend.delta_flow": {"id": "Perubahan arus", "en": "Change in flow"},
    "legend.congestion": {"id": "Indeks kemacetan", "en": "Congestion index"},
    "legend.complaints": {"id": "Aduan per sel", "en": "Complaints per cell"},
    "legend.better": {"id": "lebih lancar", "en": "better"},
    "legend.worse": {"id": "lebih padat", "en": "worse"},
    "legend.closed": {"id": "ditutup", "en": "closed"},
    "legend.selected": {"id": "dipilih", "en": "selected"},
    "legend.atcs": {"id": "kamera ATCS (lokasi nyata)", "en": "ATCS camera (real site)"},
    "legend.hotspot": {"id": "titik panas", "en": "hotspot"},
    "tip.road": {"id": "Jalan", "en": "Road"},
    "tip.unnamed": {"id": "(tanpa nama)", "en": "(unnamed)"},
    "tip.class": {"id": "kelas", "en": "class"},
    "tip.lanes": {"id": "lajur", "en": "lanes"},
    "tip.capacity": {"id": "kapasitas", "en": "capacity"},
    "tip.flow": {"id": "arus", "en": "flow"},
    "tip.speed": {"id": "kecepatan", "en": "speed"},
    "tip.kecamatan": {"id": "Kecamatan", "en": "Kecamatan"},
    "tip.kelurahan": {"id": "Kelurahan", "en": "Kelurahan"},
    "tip.cell": {"id": "Sel H3", "en": "H3 cell"},
    "tip.camera": {"id": "Kamera ATCS", "en": "ATCS camera"},
    "tip.complaint": {"id": "Aduan", "en": "Complaint"},
    # --- planner ------------------------------------------------------------------------------
    "planner.title": {"id": "Perencana skenario", "en": "Scenario planner"},
    "planner.intro": {
        "id": "Klik jalan di peta untuk memilihnya, susun skenario di panel kiri, lalu jalankan.",
        "en": "Click roads on the map to select them, build a scenario in the left panel, "
        "then run it.",
    },
    "planner.baseline": {"id": "Kondisi dasar (model)", "en": "Baseline (model)"},
    "planner.period": {"id": "Periode", "en": "Period"},
    "planner.baseline_warming": {
        "id": "Kondisi dasar model untuk periode ini sedang dihitung (sekitar setengah menit); "
        "sementara itu jalan diwarnai menurut kelas. Muat ulang halaman sebentar lagi.",
        "en": "The model baseline of this period is being computed (about half a minute); "
        "meanwhile roads are coloured by class. Reload the page in a moment.",
    },
    "planner.focus": {"id": "Fokus peta", "en": "Map focus"},
    "planner.focus_city": {"id": "Seluruh kota", "en": "Whole city"},
    "planner.focus_help": {
        "id": "Pilih kecamatan untuk melihat dan mengklik semua jalannya, termasuk jalan "
        "lingkungan.",
        "en": "Pick a kecamatan to see and click all its roads, local streets included.",
    },
    "planner.focus_hint_city": {
        "id": "Di peta kota, jalan arteri (trunk/primer) dapat diklik; pilih kecamatan di panel "
        "kiri untuk mengklik jalan lainnya.",
        "en": "On the city map the arterials (trunk/primary) are clickable; pick a kecamatan in "
        "the left panel to click the other roads.",
    },
    "planner.focus_hint_kec": {
        "id": "Semua jalan di kecamatan ini dapat diklik.",
        "en": "Every road of this kecamatan is clickable.",
    },
    "period.am_peak": {"id": "Puncak pagi", "en": "AM peak"},
    "period.midday": {"id": "Siang", "en": "Midday"},
    "period.pm_peak": {"id": "Puncak sore", "en": "PM peak"},
    "planner.selected_roads": {"id": "Jalan terpilih", "en": "Selected roads"},
    "planner.none_selected": {
        "id": "Belum ada jalan dipilih: klik jalan di peta.",
        "en": "No road selected yet: click a road on the map.",
    },
    "planner.action": {"id": "Tindakan pada jalan terpilih", "en": "Action on selected roads"},
    "action.close": {"id": "Tutup jalan", "en": "Close road"},
    "action.lanes": {"id": "Ubah jumlah lajur", "en": "Change lanes"},
    "planner.lanes_delta": {"id": "Tambah/kurangi lajur", "en": "Add/remove lanes"},
    "planner.add": {"id": "Tambahkan ke skenario", "en": "Add to scenario"},
    "planner.clear_sel": {"id": "Kosongkan pilihan", "en": "Clear selection"},
    "planner.flood": {"id": "Banjir", "en": "Flood"},
    "planner.flood_kel": {"id": "Kelurahan tergenang", "en": "Flooded kelurahan"},
    "planner.flood_kec": {"id": "Kecamatan tergenang", "en": "Flooded kecamatan"},
    "planner.flood_cells": {
        "id": "Sel H3 tergenang (pisahkan dengan koma)",
        "en": "Flooded H3 cells (comma separated)",
    },
    "planner.flood_depth": {"id": "Kedalaman", "en": "Depth"},
    "depth.shallow": {"id": "dangkal (~10 cm)", "en": "shallow (~10 cm)"},
    "depth.medium": {"id": "sedang (~20 cm)", "en": "medium (~20 cm)"},
    "depth.deep": {"id": "dalam (≥ 30 cm, tak bisa dilalui)", "en": "deep (≥ 30 cm, impassable)"},
    "planner.growth": {"id": "Pertumbuhan permintaan", "en": "Demand growth"},
    "planner.growth_pct": {"id": "Pertumbuhan (%)", "en": "Growth (%)"},
    "planner.event": {"id": "Acara", "en": "Event"},
    "planner.event_on": {"id": "Tambahkan acara", "en": "Add an event"},
    "planner.event_place": {"id": "Lokasi acara (kelurahan)", "en": "Event place (kelurahan)"},
    "planner.event_people": {"id": "Jumlah pengunjung (orang)", "en": "Attendees (people)"},
    "planner.scenario": {"id": "Skenario", "en": "Scenario"},
    "planner.scenario_name": {"id": "Nama skenario", "en": "Scenario name"},
    "planner.changes": {"id": "Perubahan dalam skenario", "en": "Changes in the scenario"},
    "planner.no_changes": {"id": "Belum ada perubahan.", "en": "No changes yet."},
    "planner.run": {"id": "Jalankan skenario", "en": "Run scenario"},
    "planner.reset": {"id": "Mulai ulang", "en": "Start over"},
    "planner.running": {"id": "Menjalankan skenario…", "en": "Running the scenario…"},
    "planner.done": {"id": "Selesai dalam {s} s", "en": "Done in {s} s"},
    "planner.result": {"id": "Hasil skenario", "en": "Scenario result"},
    "planner.no_result": {
        "id": "Jalankan skenario untuk melihat peta perbedaan.",
        "en": "Run a scenario to see the difference map.",
    },
    "planner.kpi": {"id": "Indikator utama", "en": "Key indicators"},
    "kpi.vht": {"id": "Jam-kendaraan (VHT)", "en": "Vehicle hours (VHT)"},
    "kpi.vkt": {"id": "Km-kendaraan (VKT)", "en": "Vehicle km (VKT)"},
    "kpi.mean_speed": {"id": "Kecepatan rata-rata", "en": "Mean speed"},
    "kpi.congested_km": {"id": "Panjang jalan macet", "en": "Congested length"},
    "kpi.unassigned": {"id": "Permintaan tak terlayani", "en": "Unassigned demand"},
    "kpi.gap": {"id": "Celah relatif", "en": "Relative gap"},
    "planner.by_kec": {"id": "Perubahan per kecamatan", "en": "Change per kecamatan"},
    "planner.top_links": {"id": "Ruas paling terdampak", "en": "Most affected links"},
    "planner.diff_map": {"id": "Peta perbedaan", "en": "Difference map"},
    "planner.compare": {"id": "Bandingkan dua skenario", "en": "Compare two scenarios"},
    "planner.compare_a": {"id": "Skenario A", "en": "Scenario A"},
    "planner.compare_b": {"id": "Skenario B", "en": "Scenario B"},
    "planner.compare_need": {
        "id": "Jalankan satu skenario, lalu bandingkan dengan skenario lain yang sudah dijalankan "
        "atau tersimpan.",
        "en": "Run a scenario, then compare it with another run or a saved scenario.",
    },
    "planner.compare_saved_tag": {"id": "tersimpan", "en": "saved"},
    "planner.compare_saved_hint": {
        "id": "Skenario tersimpan ini belum dijalankan di sesi ini. Jalankan (mulai hangat dari "
        "kondisi dasar) untuk membandingkannya.",
        "en": "This saved scenario has not been run in this session. Run it (warm-started from "
        "the baseline) to compare it.",
    },
    "planner.compare_run": {"id": "Jalankan skenario tersimpan", "en": "Run saved scenario"},
    "planner.zones": {
        "id": "Siapa untung, siapa rugi: perubahan waktu tempuh rata-rata per zona",
        "en": "Who wins, who loses: change in mean travel time per zone",
    },
    "planner.zones_help": {
        "id": "Waktu tempuh rata-rata (macet) dari perjalanan yang biasa berangkat dari tiap zona "
        "(sel H3 ~0,74 km²), ditimbang dengan permintaan dasar; hasil simulasi pada jaringan "
        "jalan sintetis.",
        "en": "Mean congested travel time of the usual trips leaving each zone (H3 cell "
        "~0.74 km²), weighted by the baseline demand; simulated on a synthetic road network.",
    },
    "planner.zones_none": {
        "id": "Tidak ada perubahan waktu tempuh per zona untuk hasil ini.",
        "en": "No per-zone travel time change for this result.",
    },
    "planner.winners": {"id": "Zona yang diuntungkan (lebih cepat)", "en": "Winners (faster)"},
    "planner.losers": {"id": "Zona yang dirugikan (lebih lambat)", "en": "Losers (slower)"},
    "legend.delta_time": {
        "id": "Perubahan waktu tempuh rata-rata",
        "en": "Change in mean travel time",
    },
    "col.zone": {"id": "Zona", "en": "Zone"},
    "col.time_base": {"id": "Dasar (menit/perjalanan)", "en": "Baseline (min/trip)"},
    "col.time_scen": {"id": "Skenario (menit/perjalanan)", "en": "Scenario (min/trip)"},
    "col.d_time": {"id": "Δ waktu (menit/perjalanan)", "en": "Δ time (min/trip)"},
    "tip.zone": {"id": "Zona", "en": "Zone"},
    "zone.gateway": {"id": "gerbang kota", "en": "city gateway"},
    "planner.save": {"id": "Simpan skenario", "en": "Save scenario"},
    "planner.saved": {"id": "Tersimpan: {path}", "en": "Saved: {path}"},
    "planner.load": {"id": "Muat skenario tersimpan", "en": "Load a saved scenario"},
    "planner.load_btn": {"id": "Muat", "en": "Load"},
    "planner.share": {"id": "Tautan berbagi", "en": "Share link"},
    "planner.share_help": {
        "id": "Tautan ini membuka skenario yang sama di aplikasi.",
        "en": "This link opens the same scenario in the app.",
    },
    "planner.export": {"id": "Ekspor", "en": "Export"},
    "export.csv": {"id": "Tabel ruas (CSV)", "en": "Link table (CSV)"},
    "export.geojson": {"id": "Ruas (GeoJSON)", "en": "Links (GeoJSON)"},
    "export.parquet": {"id": "Ruas (GeoParquet)", "en": "Links (GeoParquet)"},
    "export.html": {"id": "Peta (HTML luring)", "en": "Map (offline HTML)"},
    "export.story": {"id": "Unduh presentasi (HTML luring)", "en": "Download story (offline HTML)"},
    "col.edge_id": {"id": "ID ruas", "en": "Link id"},
    "col.name": {"id": "Nama", "en": "Name"},
    "col.highway": {"id": "Kelas", "en": "Class"},
    "col.kecamatan": {"id": "Kecamatan", "en": "Kecamatan"},
    "col.flow_base": {"id": "Arus dasar (SMP/jam)", "en": "Base flow (PCU/h)"},
    "col.flow_scen": {"id": "Arus skenario (SMP/jam)", "en": "Scenario flow (PCU/h)"},
    "col.d_flow": {"id": "Δ arus (SMP/jam)", "en": "Δ flow (PCU/h)"},
    "col.d_vc": {"id": "Δ V/C", "en": "Δ V/C"},
    "col.d_vht": {"id": "Δ VHT (jam)", "en": "Δ VHT (h)"},
    "col.d_speed": {"id": "Δ kecepatan (km/jam)", "en": "Δ speed (km/h)"},
    "col.value": {"id": "Nilai", "en": "Value"},
    "col.baseline": {"id": "Dasar", "en": "Baseline"},
    "col.scenario": {"id": "Skenario", "en": "Scenario"},
    "col.delta": {"id": "Selisih", "en": "Difference"},
    "planner.sel_hint": {
        "id": "Pilihan di peta: klik jalan (ruas), kelurahan, atau sel H3.",
        "en": "Map picks: click a road (link), a kelurahan or an H3 cell.",
    },
    "planner.picked_area": {"id": "Wilayah terpilih: {name}", "en": "Picked area: {name}"},
    "planner.use_area_flood": {"id": "Jadikan area banjir", "en": "Use as flood area"},
    "change.close": {"id": "Tutup {n} ruas: {names}", "en": "Close road links ({n}): {names}"},
    "change.lanes": {
        "id": "Lajur {d:+d} pada {n} ruas: {names}",
        "en": "Lanes {d:+d} on road links ({n}): {names}",
    },
    "change.flood": {"id": "Banjir {depth}: {areas}", "en": "Flood {depth}: {areas}"},
    "change.growth": {"id": "Permintaan {pct:+.0f} %", "en": "Demand {pct:+.0f} %"},
    "change.event": {
        "id": "Acara di {place}: {people} orang",
        "en": "Event at {place}: {people} people",
    },
    "change.remove": {"id": "Hapus", "en": "Remove"},
    # --- wall ----------------------------------------------------------------------------------
    "wall.title": {"id": "Ruang Kendali Lalu Lintas Kota Medan", "en": "Medan Traffic Command"},
    "wall.kiosk": {"id": "Mode kios (rotasi tampilan)", "en": "Kiosk mode (rotate views)"},
    "wall.view.congestion": {"id": "Kemacetan per sel H3", "en": "Congestion by H3 cell"},
    "wall.view.complaints": {"id": "Aduan warga terbaru", "en": "Recent citizen complaints"},
    "wall.view.atcs": {"id": "Kamera ATCS: bacaan terakhir", "en": "ATCS cameras: latest readings"},
    "wall.speed_now": {"id": "Kecepatan jaringan kini", "en": "Network speed now"},
    "wall.speed_usual": {"id": "biasanya {v}", "en": "usual {v}"},
    "wall.congested_km": {"id": "Jalan macet (V/C > 0,9)", "en": "Congested roads (V/C > 0.9)"},
    "wall.open_complaints": {"id": "Aduan terbuka", "en": "Open complaints"},
    "wall.sla": {"id": "Lewat SLA per OPD", "en": "SLA breaches by OPD"},
    "wall.feeds": {"id": "Kesehatan umpan", "en": "Feed health"},
    "wall.feed_ok": {"id": "aktif", "en": "live"},
    "wall.feed_stale": {"id": "BASI", "en": "STALE"},
    "wall.feed_none": {"id": "tidak ada data", "en": "no data"},
    "wall.last": {"id": "terakhir {t}", "en": "last {t}"},
    "wall.alerts": {"id": "Peringatan", "en": "Alerts"},
    "wall.no_alerts": {"id": "Tidak ada peringatan.", "en": "No alerts."},
    "wall.alert_hotspot": {
        "id": "Titik panas aduan baru: {place} ({n} aduan)",
        "en": "New complaint hotspot: {place} ({n} complaints)",
    },
    "wall.alert_slow": {
        "id": "{site}: {now} vs biasanya {usual} ({pct:.0f} %)",
        "en": "{site}: {now} vs usual {usual} ({pct:.0f} %)",
    },
    "wall.updated": {"id": "Diperbarui {t}", "en": "Updated {t}"},
    "wall.recent": {"id": "Aduan terbaru", "en": "Latest complaints"},
    "wall.by_category": {"id": "per kategori", "en": "by category"},
    "wall.no_data": {"id": "Belum ada data", "en": "No data yet"},
    "wall.refresh": {"id": "Segarkan tiap {s} s", "en": "Refreshes every {s} s"},
    "status.open": {"id": "baru", "en": "open"},
    "status.in_progress": {"id": "diproses", "en": "in progress"},
    "status.resolved": {"id": "selesai", "en": "resolved"},
    "status.rejected": {"id": "ditolak", "en": "rejected"},
    "col.time": {"id": "Waktu (WIB)", "en": "Time (WIB)"},
    "col.category": {"id": "Kategori", "en": "Category"},
    "col.description": {"id": "Uraian", "en": "Description"},
    "col.status": {"id": "Status", "en": "Status"},
    "col.opd": {"id": "OPD", "en": "Agency (OPD)"},
    "col.address": {"id": "Alamat", "en": "Address"},
    "col.source": {"id": "Sumber", "en": "Source"},
    "col.site": {"id": "Lokasi", "en": "Site"},
    "col.speed": {"id": "Kecepatan (km/jam)", "en": "Speed (km/h)"},
    "col.usual": {"id": "Biasanya (km/jam)", "en": "Usual (km/h)"},
    "col.count": {"id": "Jumlah", "en": "Count"},
    "col.breaches": {"id": "Lewat SLA", "en": "SLA breaches"},
    "col.feed": {"id": "Umpan", "en": "Feed"},
    "col.last": {"id": "Terakhir (WIB)", "en": "Last (WIB)"},
    "col.state": {"id": "Keadaan", "en": "State"},
    # --- story ---------------------------------------------------------------------------------
    "story.title": {"id": "Kembaran Digital Kota Medan", "en": "The Medan Digital Twin"},
    "story.subtitle": {
        "id": "Satu model kota yang hidup: jalan, wilayah, lalu lintas dan aduan warga.",
        "en": "One living model of the city: roads, areas, traffic and citizen complaints.",
    },
    "story.s1": {"id": "1. Medan sekilas", "en": "1. Medan at a glance"},
    "story.s2": {"id": "2. Data yang menghidupkan kembaran", "en": "2. The data that feeds it"},
    "story.s3": {"id": "3. Bagaimana jika…? (langsung)", "en": "3. What if…? (live)"},
    "story.s4": {"id": "4. Kembaran untuk kota Anda", "en": "4. A twin for your own town"},
    "story.source": {"id": "Sumber: {src}", "en": "Source: {src}"},
    "story.feed.atcs": {
        "id": "ATCS Dishub Kota Medan: {n} kamera di simpang dan ruas jalan mengukur arus dan "
        "kecepatan; tiap kamera terhubung ke simpul jalan terdekat di kembaran.",
        "en": "ATCS (Dishub Kota Medan): {n} cameras at intersections and road segments "
        "measure flow and speed; each is joined to the nearest road node of the twin.",
    },
    "story.feed.mrk": {
        "id": "Medan Rumah Kita: aduan warga (jalan rusak, banjir, sampah, lampu jalan…) "
        "dengan lokasi, masuk ke sel H3 dan diteruskan ke OPD yang bertanggung jawab.",
        "en": "Medan Rumah Kita: citizen complaints (damaged roads, floods, waste, street "
        "lights…) with a location, placed on H3 cells and routed to the responsible agency.",
    },
    "story.feed.lapor": {
        "id": "SP4N-LAPOR!: kanal aduan nasional; laporan untuk Kota Medan masuk dengan status "
        "dan batas waktu layanan (SLA).",
        "en": "SP4N-LAPOR!: the national complaints channel; reports for Medan arrive with their "
        "status and service deadline (SLA).",
    },
    "story.feed.note": {
        "id": "Dalam demo luring ini umpan langsung adalah SIMULASI; struktur dan alurnya sama "
        "dengan umpan sebenarnya.",
        "en": "In this offline demo the live feeds are SIMULATED; their structure and flow are "
        "those of the real feeds.",
    },
    "story.whatif": {
        "id": "Contoh: menutup {road} pada {period}. Kiri: sebelum; kanan: perubahan.",
        "en": "Example: closing {road} in the {period}. Left: before; right: the change.",
    },
    "story.before": {"id": "Sebelum", "en": "Before"},
    "story.after": {"id": "Sesudah (perubahan)", "en": "After (change)"},
    "story.run_whatif": {"id": "Jalankan contoh", "en": "Run the example"},
    "story.steps": {
        "id": "Lima langkah, semua dengan perangkat lunak terbuka:",
        "en": "Five steps, all with open software:",
    },
    "story.step1": {
        "id": "Salin profil kota: data/cities/medan.toml menjadi data/cities/<kota>.toml, "
        "isi kode Kemendagri, CRS UTM, zona waktu dan sumber data.",
        "en": "Copy the city profile: data/cities/medan.toml to data/cities/<town>.toml and "
        "fill in the Kemendagri code, UTM CRS, time zone and data sources.",
    },
    "story.step2": {
        "id": "Bangun kembarannya (daring: jalan dan batas dari OpenStreetMap):",
        "en": "Build its twin (online: roads and boundaries from OpenStreetMap):",
    },
    "story.step3": {
        "id": "Isi umpan langsung (file aduan/ATCS, atau simulasi untuk demo):",
        "en": "Fill the live feeds (complaint/ATCS files, or a simulation for a demo):",
    },
    "story.step4": {"id": "Jalankan skenario:", "en": "Run a scenario:"},
    "story.step5": {"id": "Buka aplikasinya:", "en": "Open the app:"},
    "story.export": {"id": "Ekspor presentasi", "en": "Export the story"},
    "story.facts_note": {
        "id": "Angka dari profil kota beserta sumbernya.",
        "en": "Figures from the city profile, with their sources.",
    },
    "story.twin_sizes": {
        "id": "Kembaran ini: {edges} ruas jalan, {km} km jalan, {cells} sel H3 (resolusi {res}).",
        "en": "This twin: {edges} road links, {km} km of road, {cells} H3 cells "
        "(resolution {res}).",
    },
    # --- about ---------------------------------------------------------------------------------
    "about.title": {"id": "Sumber data dan lisensi", "en": "Data sources and licences"},
    "about.intro": {
        "id": "Setiap lapisan kembaran membawa asal-usulnya: sumber, lisensi, nyata atau "
        "sintetis/simulasi, dan tanggal.",
        "en": "Every layer of the twin carries its provenance: source, licence, real or "
        "synthetic/simulated, and date.",
    },
    "about.offline": {
        "id": "Aplikasi ini bekerja tanpa internet: tidak ada server peta atau CDN; peta dasar "
        "digambar dari poligon kelurahan milik kembaran sendiri.",
        "en": "This app works without internet: no tile server or CDN; the basemap is drawn "
        "from the twin's own kelurahan polygons.",
    },
    "about.feeds": {"id": "Umpan langsung", "en": "Live feeds"},
    "unit.kmh": {"id": "km/jam", "en": "km/h"},
    "unit.km": {"id": "km", "en": "km"},
    "unit.h": {"id": "jam", "en": "h"},
    "unit.pcu_h": {"id": "SMP/jam", "en": "PCU/h"},
    "unit.min_trip": {"id": "menit/perjalanan", "en": "min/trip"},
    "unit.trips_h": {"id": "perjalanan/jam", "en": "trips/h"},
    "unit.count": {"id": "aduan", "en": "complaints"},
}


def normalise_lang(lang: str | None) -> str:
    """A supported language code: ``lang`` when known, else the default (Indonesian).

    Examples
    --------
    >>> normalise_lang("EN"), normalise_lang("fr"), normalise_lang(None)
    ('en', 'id', 'id')
    """
    code = (lang or "").strip().lower()[:2]
    return code if code in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, /, **fields: Any) -> str:
    """The UI string ``key`` in ``lang``, with ``fields`` formatted in.

    A missing key is a programming error and raises :class:`KeyError` (the i18n test guards
    against it); a missing format field leaves the text unformatted rather than crash a page.

    Examples
    --------
    >>> t("nav.planner", "en")
    'Planner'
    >>> t("planner.done", "id", s="1.2")
    'Selesai dalam 1.2 s'
    """
    text = STRINGS[key][normalise_lang(lang)]
    if fields:
        try:
            return text.format(**fields)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def missing_keys() -> dict[str, list[str]]:
    """Keys lacking a non-empty string in some language: ``{lang: [key, ...]}``."""
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for key, texts in STRINGS.items():
        for lang in LANGS:
            if not texts.get(lang, "").strip():
                out[lang].append(key)
    return {k: v for k, v in out.items() if v}


def current_lang() -> str:
    """The language of the current Streamlit session (query param ``lang`` wins)."""
    import streamlit as st

    qp = st.query_params.get("lang")
    if qp and "lang" not in st.session_state:
        st.session_state["lang"] = normalise_lang(qp)
    return normalise_lang(st.session_state.get("lang", DEFAULT_LANG))


def language_switch(*, container: Any = None) -> str:
    """Draw the Bahasa Indonesia / English switch and return the chosen language.

    The choice is kept in ``st.session_state["lang"]`` and the ``lang`` query parameter, so
    it survives page changes and shared links.
    """
    import streamlit as st

    lang = current_lang()
    where = container if container is not None else st
    choice = where.segmented_control(
        t("app.lang", lang),
        options=list(LANGS),
        format_func=lambda c: LANG_LABELS[c],
        default=lang,
        key="lang_switch",
        label_visibility="collapsed",
    )
    chosen = normalise_lang(choice or lang)
    if chosen != lang:
        st.session_state["lang"] = chosen
        st.query_params["lang"] = chosen
        st.rerun()
    if st.query_params.get("lang") != chosen:
        st.query_params["lang"] = chosen
    return chosen
