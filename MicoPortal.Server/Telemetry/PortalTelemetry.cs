using System.Diagnostics;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Telemetry;

/// <summary>
/// The portal's own traces: one <see cref="ActivitySource"/>, its span names and the attribute names every span
/// uses, so one order can be followed from intake to its final status by <see cref="Attributes.OrderId"/>
/// (README, Telemetry). <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs
/// nothing while no tracer listens, which is the default: tracing is on only with an exporter.
/// </summary>
public static class PortalTelemetry
{
    /// <summary>The service name, and the name of the portal's ActivitySource and Meter.</summary>
    public const string Name = "MicoPortal";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Attribute names (OpenTelemetry style: the <c>micoportal.</c> namespace, dotted, lower case).</summary>
    public static class Attributes
    {
        public const string OrderId = "micoportal.order.id";
        /// <summary>The reference the provider knows the delivery attempt by (<c>{orderId}-{attemptNo}</c>).</summary>
        public const string AttemptRef = "micoportal.attempt.ref";
        public const string AttemptNo = "micoportal.attempt.no";
        /// <summary>What made the change: <c>Create</c>, <c>Query</c>, <c>Callback</c>, an operator's action.</summary>
        public const string AttemptKind = "micoportal.attempt.kind";
        public const string Provider = "micoportal.provider";
        public const string ProviderStatus = "micoportal.provider.status";
        public const string Outcome = "micoportal.outcome";
        public const string Status = "micoportal.order.status";
        public const string PreviousStatus = "micoportal.order.previous_status";
        /// <summary>Orders a batch span (a query, a group commit) covers.</summary>
        public const string Count = "micoportal.order.count";
        public const string Shop = "micoportal.shop";
        public const string EventId = "micoportal.event.id";
        public const string EventType = "micoportal.event.type";
        /// <summary>Metric tags.</summary>
        public const string State = "micoportal.state";
        public const string Health = "micoportal.provider.health";
        public const string CallKind = "micoportal.call.kind";
    }

    /// <summary>Span names.</summary>
    public static class Spans
    {
        /// <summary>A shop's POST of one order or a batch: validation and the wait for the group commit.</summary>
        public const string Intake = "order intake";
        /// <summary>One group commit of new orders, linked to the intake spans it wrote for.</summary>
        public const string IntakeWrite = "order intake write";
        public const string DispatchCreate = "order dispatch create";
        public const string VerifyQuery = "order verify query";
        public const string Callback = "order callback";
        /// <summary>One group commit of provider answers (creates, queries).</summary>
        public const string AnswersWrite = "order answers write";
        /// <summary>One group commit of callbacks.</summary>
        public const string CallbacksWrite = "order callbacks write";
        /// <summary>A saved status change, child of what caused it (create, query, callback, operator's request).</summary>
        public const string Transition = "order transition";
        public const string WebhookSend = "webhook send";
    }

    /// <summary>
    /// Orders of a batch intake are named by one event each (a span cannot carry a thousand ids as one attribute);
    /// a single order's intake carries its id as an attribute.
    /// </summary>
    public const string OrderAcceptedEvent = "order accepted";

    /// <summary>A span for a batch of orders (<paramref name="count"/> of them), linked to the spans it serves.</summary>
    public static Activity? StartBatch(string name, int count, IEnumerable<ActivityContext>? causes = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var links = causes?.Where(c => c != default).Distinct().Select(c => new ActivityLink(c)).ToList();
        return Source.StartActivity(name, ActivityKind.Internal, parentContext: default, links: links)?.SetTag(Attributes.Count, count);
    }

    /// <summary>
    /// Records a saved status change as a span of its own, child of the span that caused it (the create, the
    /// query or the callback; <paramref name="cause"/>) and linked to the write that saved it (the current span).
    /// Without a cause, the current span is the parent (an operator's request).
    /// </summary>
    public static void Transition(long orderId, int attemptNo, OrderStatus from, OrderStatus to, string via, ActivityContext cause)
    {
        var current = Activity.Current;
        var links = cause != default && current is not null ? new[] { new ActivityLink(current.Context) } : null;
        using var activity = Source.StartActivity(Spans.Transition, ActivityKind.Internal, cause, links: links);
        activity?.SetTag(Attributes.OrderId, orderId)
            .SetTag(Attributes.AttemptNo, attemptNo)
            .SetTag(Attributes.PreviousStatus, from.ToString())
            .SetTag(Attributes.Status, to.ToString())
            .SetTag(Attributes.AttemptKind, via);
    }

    /// <summary>The context of the current span, to carry across a queue to the batch that handles the work.</summary>
    public static ActivityContext CurrentContext => Activity.Current?.Context ?? default;
}
