using ActorHttp.Handlers;
using ActorHttp.Protocol;
using Microsoft.Extensions.Logging;

public sealed class ForecastHandler(IHttpClientFactory httpClients, ILogger<ForecastHandler> log) : HttpHandlerActor
{
    protected override void OnRequest(RequestContext context) =>
        RespondAsync(context, async cancellationToken =>
        {
            var city = context.Request.RouteValues["city"];
            log.LogInformation("Forecast for {City}", city);
            var http = httpClients.CreateClient("forecasts");   // its address: services.AddHttpClient("forecasts", …)
            try
            {
                return HttpResponse.Text(200, await http.GetStringAsync(Uri.EscapeDataString(city), cancellationToken));
            }
            catch (HttpRequestException error)
            {
                log.LogWarning("Forecasts failed for {City}: {Reason}", city, error.Message);
                return HttpResponse.Text(502, "The forecasts service did not answer.\n");
            }
        });
}
