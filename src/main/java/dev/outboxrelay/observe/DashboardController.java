package dev.outboxrelay.observe;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The operator dashboard: {@code /dashboard} is a static page (static/dashboard/, plain HTML and
 * JavaScript, no build step) that polls {@code /dashboard/api/summary} every two seconds. Replay buttons
 * call the dead-letter admin API.
 */
@Controller
public class DashboardController {

    private final DashboardFigures figures;

    public DashboardController(DashboardFigures figures) {
        this.figures = figures;
    }

    @GetMapping({"/dashboard", "/dashboard/"})
    public String page() {
        return "forward:/dashboard/index.html";
    }

    @GetMapping("/dashboard/api/summary")
    @ResponseBody
    public DashboardSummary summary() {
        return figures.summary();
    }
}
