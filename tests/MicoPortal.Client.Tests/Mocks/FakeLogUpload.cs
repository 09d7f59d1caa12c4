using MicoPortal.Client.Services;
using MicoPortal.Shared.Reconciliation;
using Microsoft.AspNetCore.Components.Forms;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>
/// Reads the chosen file as the browser would send it, reports progress in two steps, and hands it
/// to <see cref="FakeReconciliationApi"/> (which records it and answers as the server would).
/// </summary>
public sealed class FakeLogUpload(FakeReconciliationApi api) : ILogUpload
{
    public List<string> Selectors { get; } = [];

    public async Task<PortalActionResult<ReconciliationCreated>> SendAsync(string inputSelector, IBrowserFile file, IProgress<double> progress, string? provider = null,
        CancellationToken cancellationToken = default)
    {
        Selectors.Add(inputSelector);
        progress.Report(0.5);
        await using var stream = file.OpenReadStream(long.MaxValue, cancellationToken);
        var result = await api.UploadAsync(stream, file.Name, provider, cancellationToken);
        progress.Report(1);
        return result;
    }
}
