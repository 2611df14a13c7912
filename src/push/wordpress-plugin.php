<?php
/*
 * Plugin Name: sitelift push
 * Description: Lets `sitelift push` keep the legacy ids of what it imports and find them again.
 *
 * Install as wp-content/mu-plugins/sitelift.php (`sitelift push --print-plugin`
 * prints this file). It registers the meta `sitelift push` writes (shown in the
 * REST API) and lets an authenticated client look a post, attachment or term up
 * by it: GET /wp/v2/posts?sitelift_meta=sitelift_legacy_id&sitelift_value=7102.
 */

add_action('init', function () {
    $text = array('type' => 'string', 'single' => true, 'show_in_rest' => true);
    $urls = array(
        'type' => 'array',
        'single' => true,
        'show_in_rest' => array('schema' => array('type' => 'array', 'items' => array('type' => 'string'))),
    );
    register_post_meta('post', 'sitelift_legacy_id', $text);
    register_post_meta('post', 'sitelift_legacy_urls', $urls);
    register_post_meta('attachment', 'sitelift_sha256', $text);
    register_term_meta('category', 'sitelift_legacy_slug', $text);
    register_term_meta('post_tag', 'sitelift_legacy_slug', $text);
});

add_action('rest_api_init', function () {
    register_rest_route('sitelift/v1', '/plugin', array(
        'methods' => 'GET',
        'callback' => function () {
            return array('version' => 1);
        },
        'permission_callback' => '__return_true',
    ));
});

/* The meta key and value asked for, when the client may edit what it looks up. */
function sitelift_lookup($request, $capability) {
    $key = $request->get_param('sitelift_meta');
    $value = $request->get_param('sitelift_value');
    $keys = array('sitelift_legacy_id', 'sitelift_sha256', 'sitelift_legacy_slug');
    if (!is_string($key) || !in_array($key, $keys, true) || !is_string($value) || !current_user_can($capability)) {
        return null;
    }
    return array($key, $value);
}

foreach (array('post', 'attachment') as $type) {
    add_filter("rest_{$type}_query", function ($args, $request) {
        $found = sitelift_lookup($request, 'edit_posts');
        if ($found) {
            $args['meta_key'] = $found[0];
            $args['meta_value'] = $found[1];
        }
        return $args;
    }, 10, 2);
}

foreach (array('category', 'post_tag') as $taxonomy) {
    add_filter("rest_{$taxonomy}_query", function ($args, $request) {
        $found = sitelift_lookup($request, 'manage_categories');
        if ($found) {
            $args['meta_key'] = $found[0];
            $args['meta_value'] = $found[1];
        }
        return $args;
    }, 10, 2);
}
