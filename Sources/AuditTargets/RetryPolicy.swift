import Foundation

/// When and how long to wait before trying a request again.
///
/// Backoff is exponential with "full jitter" (AWS architecture blog, "Exponential Backoff And
/// Jitter"): after the n-th failed attempt the wait is drawn uniformly from
/// `0 ... min(maxDelay, initialDelay * multiplier^(n-1))`. A `Retry-After` header on the failed
/// response (delta-seconds or an HTTP-date) replaces the drawn wait, capped at `maxRetryAfter`.
public struct RetryPolicy: Sendable, Equatable {
    public enum Jitter: Sendable, Equatable {
        /// Wait exactly the backoff ceiling.
        case none
        /// Wait a uniform random time between zero and the backoff ceiling.
        case full
    }

    /// Attempts in all, the first included; 1 means never retry.
    public var maxAttempts: Int
    public var initialDelay: Double
    public var maxDelay: Double
    public var multiplier: Double
    public var jitter: Jitter
    /// The longest wait a server's `Retry-After` can ask for; longer requests are cut to this.
    public var maxRetryAfter: Double
    /// HTTP statuses that are tried again. Other non-2xx statuses fail at once.
    public var retryableStatuses: Set<Int>

    public init(
        maxAttempts: Int = 6,
        initialDelay: Double = 0.5,
        maxDelay: Double = 30,
        multiplier: Double = 2,
        jitter: Jitter = .full,
        maxRetryAfter: Double = 120,
        retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
        self.retryableStatuses = retryableStatuses
    }

    /// One attempt, no retries.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// `maxAttempts`, at least 1.
    public var attemptLimit: Int { max(1, maxAttempts) }

    /// The upper bound of the wait after the `attempt`-th failed attempt (1-based), before jitter.
    public func backoffCeiling(afterAttempt attempt: Int) -> Double {
        let cap = Self.sane(maxDelay)
        let base = Self.sane(initialDelay)
        let raw = base * pow(Self.sane(multiplier), Double(max(0, attempt - 1)))
        guard raw.isFinite else { return base == 0 ? 0 : cap }
        return min(cap, raw)
    }

    /// The wait after the `attempt`-th failed attempt (1-based). `retryAfter` is the server's
    /// `Retry-After` in seconds, when it sent one; it wins over the backoff, capped at `maxRetryAfter`.
    public func delay<G: RandomNumberGenerator>(
        afterAttempt attempt: Int, retryAfter: Double?, using generator: inout G
    ) -> Double {
        if let retryAfter, retryAfter.isFinite {
            return min(max(0, retryAfter), Self.sane(maxRetryAfter))
        }
        let ceiling = backoffCeiling(afterAttempt: attempt)
        switch jitter {
        case .none: return ceiling
        case .full: return ceiling > 0 ? Double.random(in: 0...ceiling, using: &generator) : 0
        }
    }

    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, using: &generator)
    }

    /// Negative and NaN settings count as 0; nothing waits longer than about 31 years.
    private static func sane(_ value: Double) -> Double {
        value.isNaN || value < 0 ? 0 : min(value, 1e9)
    }

    // MARK: Retry-After

    /// Seconds to wait from a `Retry-After` header value: delta-seconds ("120"; a fraction such as
    /// "1.5" is accepted too) or an HTTP-date (IMF-fixdate, RFC 850 or asctime form), measured
    /// from `now`. A date in the past gives 0. Nil when the value is neither.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        if text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || $0 == "." }) {
            guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else { return nil }
            return seconds
        }
        guard let date = parseHTTPDate(text) else { return nil }
        return max(0, date - now.timeIntervalSince1970)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since 1970 for an HTTP-date (RFC 9110 section 5.6.7), in any of its three forms:
    /// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994".
    public static func parseHTTPDate(_ text: String) -> Double? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "\t" })
        var month: Int?
        var time: (Int, Int, Int)?
        var numbers: [Substring] = []
        for token in tokens {
            if token.contains(":") {
                let parts = token.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
                guard parts.count == 3, let h = parts[0], let m = parts[1], let s = parts[2],
                      (0...23).contains(h), (0...59).contains(m), (0...60).contains(s) else { return nil }
                time = (h, m, s)
            } else if token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber) {
                numbers.append(token)
            } else if token.count >= 3, let index = months.firstIndex(of: token.prefix(3).lowercased()) {
                if month == nil, token.count == 3 || fullMonthNames.contains(token.lowercased()) {
                    month = index + 1
                }
            }
        }
        guard let month, let time, numbers.count == 2,
              let day = Int(numbers[0]), (1...31).contains(day), var year = Int(numbers[1]) else { return nil }
        if numbers[1].count == 2 { year += year < 70 ? 2000 : 1900 }
        guard numbers[1].count == 2 || numbers[1].count == 4 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + time.0 * 3_600 + time.1 * 60 + time.2)
    }

    private static let fullMonthNames: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december",
    ]

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
