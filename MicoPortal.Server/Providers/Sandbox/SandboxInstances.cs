namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>
/// The sandbox providers in this process: <c>default</c> (the plain <see cref="SandboxLedger"/> singleton at
/// <c>/sandbox/provider</c>) and one per name in <c>Sandbox:Instances</c> (a keyed <see cref="SandboxLedger"/>
/// at <c>/sandbox/providers/{name}</c>), so tests and demos can run a portal against several providers.
/// </summary>
public sealed class SandboxInstances
{
    public const string DefaultName = "default";

    /// <summary>Where the extra instances answer: <c>/sandbox/providers/{name}/v1/...</c> and <c>.../admin/...</c>.</summary>
    public const string InstancesBasePath = "/sandbox/providers";

    private readonly Dictionary<string, SandboxLedger> _ledgers;

    internal SandboxInstances(IReadOnlyList<(string Name, SandboxLedger Ledger)> instances)
    {
        _ledgers = instances.ToDictionary(i => i.Name, i => i.Ledger, StringComparer.Ordinal);
        Names = instances.Select(i => i.Name).ToList();
    }

    /// <summary>Every instance, <c>default</c> first, then <c>Sandbox:Instances</c> in order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The ledger of one instance; <c>default</c> is the plain singleton.</summary>
    /// <exception cref="KeyNotFoundException">No instance has that name.</exception>
    public SandboxLedger Ledger(string name) =>
        _ledgers.TryGetValue(name, out var ledger) ? ledger : throw new KeyNotFoundException($"No sandbox instance '{name}'.");

    /// <summary>
    /// The provider's base address under the portal's root: <c>/sandbox/provider</c> for <c>default</c>,
    /// <c>/sandbox/providers/{name}</c> otherwise (the provider API is at that + <c>/v1</c>).
    /// </summary>
    public static string BasePathOf(string instance) =>
        instance == DefaultName ? SandboxProviderApi.BasePath : $"{InstancesBasePath}/{instance}";

    /// <summary>Where an instance's admin endpoints are: <c>/sandbox/admin</c> stays the default's.</summary>
    internal static string AdminPathOf(string instance) =>
        instance == DefaultName ? "/sandbox/admin" : $"{InstancesBasePath}/{instance}/admin";
}
