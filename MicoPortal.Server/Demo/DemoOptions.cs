using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Demo;

/// <summary>Section <c>Demo</c>: synthetic shop traffic so a fresh development run has live data.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Orders per second; 0 turns the generator off.</summary>
    [Range(0, 100_000)]
    public double OrdersPerSecond { get; set; }
}
