using MicoPortal.Shared.Reconciliation;
using Microsoft.AspNetCore.Components.Forms;

namespace MicoPortal.Client.Services;

/// <summary>
/// Sends a transaction log the admin chose to <c>POST /api/v1/reconciliations</c>, reporting the
/// share sent so far (0 to 1). Behind an interface so component tests need no browser.
/// </summary>
public interface ILogUpload
{
    /// <param name="inputSelector">CSS selector of the file input that holds <paramref name="file"/>.</param>
    /// <param name="provider">Whose log it is, sent as <c>?provider=</c>; null leaves it to the server (<c>default</c>).</param>
    Task<PortalActionResult<ReconciliationCreated>> SendAsync(string inputSelector, IBrowserFile file, IProgress<double> progress, string? provider = null,
        CancellationToken cancellationToken = default);
}
