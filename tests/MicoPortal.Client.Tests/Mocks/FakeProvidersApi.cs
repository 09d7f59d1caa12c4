using MicoPortal.Client.Services;
using MicoPortal.Shared.Providers;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="IProvidersApi"/> keeping providers in memory, pausing and resuming them like the server would, and recording calls.</summary>
public sealed class FakeProvidersApi : IProvidersApi
{
    public List<ProviderDto> Providers { get; } = [];
    public Exception? LoadError { get; set; }
    /// <summary>When set, pausing fails with this message (as the server's validation problem would).</summary>
    public string? PauseFailure { get; set; }

    /// <summary>When set, the list is answered only once this completes (a slow server).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public int LoadCalls { get; private set; }
    public List<(string Name, string Reason)> Paused { get; } = [];
    public List<string> Resumed { get; } = [];

    public async Task<IReadOnlyList<ProviderDto>> GetProvidersAsync(CancellationToken cancellationToken = default)
    {
        LoadCalls++;
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        return LoadError is null ? [.. Providers] : throw LoadError;
    }

    public Task<PortalActionResult> PauseAsync(string name, string reason, CancellationToken cancellationToken = default)
    {
        Paused.Add((name, reason));
        if (PauseFailure is not null)
        {
            return Task.FromResult(new PortalActionResult(false, PauseFailure, 400, "VALIDATION"));
        }

        Update(name, p => p with { Paused = true, PauseReason = reason, PausedBy = TestData.Admin.Email, PausedAt = TestData.Now });
        return Task.FromResult(new PortalActionResult(true, $"{name} is paused.", 200));
    }

    public Task<PortalActionResult> ResumeAsync(string name, CancellationToken cancellationToken = default)
    {
        Resumed.Add(name);
        Update(name, p => p with { Paused = false, PauseReason = null, PausedBy = null, PausedAt = null });
        return Task.FromResult(new PortalActionResult(true, $"{name} is resumed.", 200));
    }

    private void Update(string name, Func<ProviderDto, ProviderDto> change)
    {
        var index = Providers.FindIndex(p => p.Name == name);
        Providers[index] = change(Providers[index]);
    }
}
