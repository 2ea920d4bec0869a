/// RFC 3339 timestamps in UTC with milliseconds ("2026-11-26T17:35:00.123Z"), computed from
/// Unix milliseconds without Foundation's date formatting (proleptic Gregorian calendar).
public enum RFC3339 {
    public static func utc(milliseconds: Int64) -> String {
        let msPerDay: Int64 = 86_400_000
        // Floor division, so times before 1970 land on the right day.
        var days = milliseconds / msPerDay
        var inDay = milliseconds % msPerDay
        if inDay < 0 {
            inDay += msPerDay
            days -= 1
        }
        let date = civil(fromDays: days)
        let hour = inDay / 3_600_000
        let minute = inDay / 60_000 % 60
        let second = inDay / 1000 % 60
        let millis = inDay % 1000
        let year = date.year < 0 ? "-" + pad(-date.year, 4) : pad(date.year, 4)
        return "\(year)-\(pad(date.month, 2))-\(pad(date.day, 2))T\(pad(hour, 2)):\(pad(minute, 2))"
            + ":\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    /// Year, month (1-12) and day (1-31) of the day `days` after 1970-01-01
    /// (Howard Hinnant's `civil_from_days`, in eras of 400 years = 146097 days).
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468                                  // days since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097                        // 0 ... 146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // from March 1st
        let shiftedMonth = (5 * dayOfYear + 2) / 153            // 0 = March ... 11 = February
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
