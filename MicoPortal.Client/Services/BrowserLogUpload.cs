using System.Net;
using System.Text;
using System.Text.Json;
using MicoPortal.Shared.Reconciliation;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;

namespace MicoPortal.Client.Services;

/// <summary>
/// <see cref="ILogUpload"/> through the browser's own XMLHttpRequest (<c>js/log-upload.js</c>): the
/// file goes from disk to the network without passing through WebAssembly memory, and the upload
/// reports its progress. Same origin, so the sign-in cookie goes with it.
/// </summary>
public sealed class BrowserLogUpload(IJSRuntime js) : ILogUpload
{
    public async Task<PortalActionResult<ReconciliationCreated>> SendAsync(string inputSelector, IBrowserFile file, IProgress<double> progress, string? provider = null,
        CancellationToken cancellationToken = default)
    {
        using var callback = DotNetObjectReference.Create(new ProgressCallback(progress));
        // No JS-interop timeout: a large log on a slow link takes as long as it takes.
        var answer = await js.InvokeAsync<UploadAnswer>("micoPortal.uploadFile", cancellationToken,
            inputSelector, file.Name, ReconciliationLinks.UploadUrl(provider), "file", callback);
        switch (answer.Status)
        {
            case -1:
                return new(false, answer.Body ?? "The file could not be read.", default);
            case 0:
                return new(false, "The portal could not be reached.", default);
            case >= 200 and < 300:
                var created = JsonSerializer.Deserialize<ReconciliationCreated>(answer.Body ?? "null", PortalJson.Options);
                return new(created is not null, created is null ? "The portal answered an empty body." : $"{file.Name} uploaded.", created, answer.Status);
            default:
                using (var response = new HttpResponseMessage((HttpStatusCode)answer.Status) { Content = new StringContent(answer.Body ?? "", Encoding.UTF8, "application/json") })
                {
                    var problem = await PortalHttp.ReadProblemAsync(response, cancellationToken);
                    return new(false, problem.Message, default, answer.Status, problem.Code);
                }
        }
    }

    public sealed record UploadAnswer(int Status, string? Body);

    public sealed class ProgressCallback(IProgress<double> progress)
    {
        [JSInvokable]
        public void OnProgress(long loaded, long total) => progress.Report(total > 0 ? (double)loaded / total : 0);
    }
}
