using MicoPortal.Client.Services;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using MudBlazor.Services;

var builder = WebAssemblyHostBuilder.CreateDefault(args);

builder.Services.AddMudServices();
// Who is signed in comes from the server's cookie session, serialized into the page.
builder.Services.AddAuthorizationCore();
builder.Services.AddCascadingAuthenticationState();
builder.Services.AddAuthenticationStateDeserialization();
builder.Services.AddScoped(_ => new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
builder.Services.AddScoped<IPortalApi, PortalApi>();
builder.Services.AddScoped<IAdminApi, AdminApi>();
builder.Services.AddScoped<IReconciliationApi, ReconciliationApi>();
builder.Services.AddScoped<ILogUpload, BrowserLogUpload>();
builder.Services.AddScoped<IAuditApi, AuditApi>();
builder.Services.AddScoped<INotificationsApi, NotificationsApi>();
builder.Services.AddScoped<IProvidersApi, ProvidersApi>();
builder.Services.AddScoped<IWebhooksApi, WebhooksApi>();
builder.Services.AddScoped<CurrentUserState>();
builder.Services.AddScoped<IOperationsHubClient, OperationsHubClient>();

await builder.Build().RunAsync();
