import Engine
import Foundation
import Models

/// One sequence a request asks for: a prompt and the settings of one choice.
struct ChoicePlan {
    let prompt: [Int32]
    let options: GenerationOptions
    let makeConstraint: (@Sendable () throws -> TokenConstraint)?
    let promptLogprobs: Int?
}

/// The choices of one request, submitted together to a model's executor, as one stream of events
/// tagged with the choice's index. Cancelling (the client went away) takes back the queued jobs and
/// makes the running ones stop at their next token.
final class GenerationRun: @unchecked Sendable {
    struct Event {
        let choice: Int
        let event: GenerationEvent
    }

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private var ticket: JobTicket?

    private init() {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Submits every plan or none; a full queue becomes a 429 with `Retry-After`.
    static func start(_ plans: [ChoicePlan], on model: ServedModel) throws -> GenerationRun {
        let run = GenerationRun()
        let continuation = run.continuation
        var jobs: [GenerationJob] = []
        for (index, plan) in plans.enumerated() {
            let constraint = try plan.makeConstraint?()
            jobs.append(GenerationJob(prompt: plan.prompt, options: plan.options, constraint: constraint,
                                      promptLogprobs: plan.promptLogprobs) { event in
                if case .terminated = continuation.yield(Event(choice: index, event: event)) { return false }
                return true
            })
        }
        do {
            run.ticket = try model.executor.submit(jobs)
        } catch SubmissionError.queueFull(let seconds) {
            throw APIError.queueFull(model: model.id, retryAfter: seconds)
        } catch SubmissionError.shuttingDown {
            throw APIError.shuttingDown
        }
        let ticket = run.ticket
        continuation.onTermination = { _ in ticket?.cancel() }
        return run
    }

    /// Ends the run early: no more events, queued jobs withdrawn, running ones stopped.
    func cancel() {
        continuation.finish()
    }

    /// Called by the consumer once every choice has finished or failed.
    func close() {
        continuation.finish()
    }
}

/// The timing and token counts of a request, for metrics and the log line.
struct RunStatistics {
    let arrival: Date
    var firstToken: Date?
    var promptTokens = 0
    var completionTokens = 0
    var reusedPromptTokens = 0
    var reasoningTokens = 0
    /// Choices that have finished.
    var finishedChoices = 0

    init(arrival: Date) { self.arrival = arrival }

    mutating func sawToken() {
        if firstToken == nil { firstToken = Date() }
    }

    /// Counts what `event` says: a first token, a finished choice's tokens.
    mutating func take(_ event: GenerationEvent) {
        switch event {
        case .token:
            sawToken()
        case .finished(let outcome):
            completionTokens += outcome.completionTokens
            reusedPromptTokens += outcome.reusedPromptTokens
            reasoningTokens += outcome.reasoningTokens
            finishedChoices += 1
        case .started, .promptLogprobs, .failed:
            break
        }
    }

    func record(in metrics: ServerMetrics, model: String) {
        let end = Date()
        metrics.recordTokens(model: model, prompt: promptTokens, completion: completionTokens)
        if let firstToken {
            metrics.recordTimeToFirstToken(model: model, seconds: firstToken.timeIntervalSince(arrival))
        }
        metrics.recordGeneration(model: model, seconds: end.timeIntervalSince(arrival), completionTokens: completionTokens,
                                 decodeSeconds: end.timeIntervalSince(firstToken ?? end))
    }
}

/// What one choice produced, gathered for a response that is not streamed.
struct ChoiceResult {
    var text = ""
    var tokens: [GeneratedToken] = []
    var promptLogprobs: [TokenLogprobs?]?
    var outcome: GenerationOutcome?
}

extension GenerationRun {
    /// Waits for every choice and returns what each produced. A failure of any choice fails the
    /// request; cancellation (the client left) ends with `CancellationError`.
    func collect(choices: Int, statistics: inout RunStatistics) async throws -> [ChoiceResult] {
        var results = [ChoiceResult](repeating: ChoiceResult(), count: choices)
        for await item in events {
            statistics.take(item.event)
            switch item.event {
            case .started:
                break
            case .promptLogprobs(let logprobs):
                results[item.choice].promptLogprobs = logprobs
            case .token(let token):
                results[item.choice].text += token.text
                results[item.choice].tokens.append(token)
            case .finished(let outcome):
                results[item.choice].outcome = outcome
            case .failed(let error):
                cancel()
                throw GenerationRun.apiError(for: error)
            }
            if statistics.finishedChoices == choices {
                close()
                return results
            }
        }
        throw CancellationError()
    }

    /// Errors raised inside a generation, as the client should see them.
    static func apiError(for error: Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case SubmissionError.shuttingDown: return .shuttingDown
        case let error as SamplingError: return .invalidRequest(error.description)
        case let error as GenerationError: return .invalidRequest(error.description)
        case let error as ModelError: return .invalidRequest("\(error)")
        default: return .internalError("generation failed: \(error)")
        }
    }
}
