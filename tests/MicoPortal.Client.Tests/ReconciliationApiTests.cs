using System.Net;
using System.Text;
using MicoPortal.Client.Services;
using Microsoft.AspNetCore.Components.Forms;

namespace MicoPortal.Client.Tests;

public class ReconciliationApiTests
{
    private sealed class StubHandler(HttpStatusCode status, string json) : HttpMessageHandler
    {
        public List<(HttpMethod Method, string Uri)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.Method, request.RequestUri!.PathAndQuery));
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }

    private static (ReconciliationApi Api, StubHandler Handler) Create(HttpStatusCode status, string json)
    {
        var handler = new StubHandler(status, json);
        return (new ReconciliationApi(new HttpClient(handler) { BaseAddress = new Uri("http://portal.test/") }), handler);
    }

    /// <summary>Only the name matters to <see cref="BrowserLogUpload"/>: the browser reads the file itself.</summary>
    private sealed class NamedFile(string name) : IBrowserFile
    {
        public string Name => name;
        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;
        public long Size => 0;
        public string ContentType => "text/csv";
        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) => Stream.Null;
    }

    [Fact]
    public async Task The_sandbox_shortcut_names_the_provider_escaped()
    {
        var (api, handler) = Create(HttpStatusCode.Accepted, """{"id":7}""");

        var result = await api.ReconcileSandboxAsync(30, "acme pay&eu");

        Assert.Equal(7, result.Value!.Id);
        Assert.Equal((HttpMethod.Post, "/api/v1/reconciliations/sandbox?minutes=30&provider=acme%20pay%26eu"), Assert.Single(handler.Requests));
    }

    [Fact]
    public async Task The_sandbox_shortcut_without_a_provider_leaves_it_to_the_server()
    {
        var (api, handler) = Create(HttpStatusCode.Accepted, """{"id":7}""");

        await api.ReconcileSandboxAsync();

        Assert.Equal((HttpMethod.Post, "/api/v1/reconciliations/sandbox?minutes=60"), Assert.Single(handler.Requests));
    }

    [Fact]
    public async Task The_sandbox_shortcut_passes_on_a_404_for_a_provider_it_does_not_serve()
    {
        var (api, _) = Create(HttpStatusCode.NotFound,
            """{"title":"The built-in sandbox does not serve a provider named 'acme'.","status":404,"code":"NOT_FOUND"}""");

        var result = await api.ReconcileSandboxAsync(60, "acme");

        Assert.False(result.Succeeded);
        Assert.Equal(404, result.StatusCode);
    }

    [Theory]
    [InlineData(null, "api/v1/reconciliations")]
    [InlineData("backup", "api/v1/reconciliations?provider=backup")]
    [InlineData("acme pay/eu", "api/v1/reconciliations?provider=acme%20pay%2Feu")]
    public void The_upload_url_names_the_provider_escaped(string? provider, string url) =>
        Assert.Equal(url, ReconciliationLinks.UploadUrl(provider));

    [Fact]
    public async Task The_browser_upload_posts_to_the_url_naming_the_provider()
    {
        await using var context = new BunitContext();
        context.JSInterop.Setup<BrowserLogUpload.UploadAnswer>("micoPortal.uploadFile", _ => true)
            .SetResult(new BrowserLogUpload.UploadAnswer(202, """{"id":5}"""));
        var upload = new BrowserLogUpload(context.JSInterop.JSRuntime);

        var result = await upload.SendAsync(".log-upload input[type=file]", new NamedFile("backup.csv"), new Progress<double>(), "backup");

        Assert.Equal(5, result.Value!.Id);
        var call = context.JSInterop.VerifyInvoke("micoPortal.uploadFile");
        Assert.Equal([".log-upload input[type=file]", "backup.csv", "api/v1/reconciliations?provider=backup", "file"], call.Arguments.Take(4));
    }
}
