namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// The long end-to-end runs (chaos, crash, scale-out, the outbox crash, the scenario runs, two servers on one
/// database): each drives thousands of orders through real servers and keeps both cores busy for minutes.
/// In one collection they run one after another, beside the short tests, instead of starving each other
/// into their time limits; the whole suite takes about as long, and each run's figures mean something.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EndToEndRuns
{
    public const string Name = "End-to-end runs, one at a time";
}
