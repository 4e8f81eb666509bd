;; A hostile router that asks for a hundred million table elements in
;; `pick` (800 MB of host memory, were it granted). Written as WebAssembly
;; text because Rust has no way to emit `table.grow`; the tests turn it
;; into a component with the `wat` crate. A sandbox that caps memories but
;; not tables lets it through. Never use this in production.
(component
  (core module $main
    (memory (export "memory") 1)
    (table $t 1 funcref)
    (global $next (mut i32) (i32.const 1024))
    ;; A bump allocator: enough for the host to copy the request in.
    (func (export "realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (local.set $p
        (i32.and
          (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (global.set $next (i32.add (local.get $p) (local.get $size)))
      (block $enough
        (loop $more
          (br_if $enough (i32.le_u (global.get $next) (i32.mul (memory.size) (i32.const 65536))))
          (br_if $enough (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
          (br $more)))
      (local.get $p))
    (func (export "pick")
      (param i64 i32 i32 i32 i32 i32 i32 i64 i64 i32 i32 i32 i32 i32 i32) (result i32)
      (drop (table.grow $t (ref.null func) (i32.const 100000000)))
      ;; choice::wait (case 1) at offset 16
      (i32.store8 (i32.const 16) (i32.const 1))
      (i32.const 16)))
  (core instance $m (instantiate $main))
  ;; The interface's types, then `pick` lifted over them, then an inner
  ;; component that gives them their WIT names (as wit-component does).
  (type $settings (list (tuple string string)))
  (type $request (record
    (field "conversation" u64)
    (field "queue" string)
    (field "customer" string)
    (field "entry" string)
    (field "waited-ms" u64)
    (field "required-skills" u64)
    (field "skill-names" (list string))
    (field "settings" $settings)))
  (type $candidates (list u64))
  (type $choice (variant (case "agent" u32) (case "wait")))
  (func $pick (param "request" $request) (param "candidates" $candidates) (result $choice)
    (canon lift (core func $m "pick") (memory (core memory $m "memory")) (realloc (core func $m "realloc"))))
  (component $router
    (type $settings0 (list (tuple string string)))
    (import "import-type-settings" (type $settings' (eq $settings0)))
    (type $request0 (record
      (field "conversation" u64)
      (field "queue" string)
      (field "customer" string)
      (field "entry" string)
      (field "waited-ms" u64)
      (field "required-skills" u64)
      (field "skill-names" (list string))
      (field "settings" $settings')))
    (import "import-type-route-request" (type $request' (eq $request0)))
    (type $candidates0 (list u64))
    (import "import-type-packed-candidates" (type $candidates' (eq $candidates0)))
    (type $choice0 (variant (case "agent" u32) (case "wait")))
    (import "import-type-choice" (type $choice' (eq $choice0)))
    (import "import-func-pick" (func $pick (param "request" $request') (param "candidates" $candidates') (result $choice')))
    (export $settings-e "settings" (type $settings'))
    (export $request-e "route-request" (type $request'))
    (export $candidates-e "packed-candidates" (type $candidates'))
    (export $choice-e "choice" (type $choice'))
    (export "pick" (func $pick) (func (param "request" $request-e) (param "candidates" $candidates-e) (result $choice-e))))
  (instance $r (instantiate $router
    (with "import-type-settings" (type $settings))
    (with "import-type-route-request" (type $request))
    (with "import-type-packed-candidates" (type $candidates))
    (with "import-type-choice" (type $choice))
    (with "import-func-pick" (func $pick))))
  (export "smsdesk:plugin/router@0.2.0" (instance $r)))
