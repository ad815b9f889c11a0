// Does ThreadSanitizer, on this toolchain, see the ordering a continuation gives? A correct program:
// a thread fills an array and then resumes a continuation; the task reads the array after its await.
//
//   swiftc -O -sanitize=thread scripts/tsan_continuation_probe.swift -o /tmp/probe && /tmp/probe
//
// With Swift 6.3.1 on Linux this prints data-race reports (the thread's appends against the task's
// reads) although the program has no race: the class of report that scripts/tsan-suppressions.txt
// suppresses where AsyncHTTPClient hands a response parsed on an event loop to the waiting task.
// (7 reports here, with checked or unsafe continuations, with or without the sleep that lets the
// resume come before the task suspends.)
import Foundation

final class Box: @unchecked Sendable { var values: [Int] = [] }

var total = 0
for _ in 0..<500 {
    let box: Box = await withUnsafeContinuation { continuation in
        Thread {
            let box = Box()
            for i in 0..<16 { box.values.append(i) }   // written here
            continuation.resume(returning: box)         // then handed over
        }.start()
        usleep(2000)
    }
    total += box.values.reduce(0, +)                    // read after the await
}
print("total", total)
